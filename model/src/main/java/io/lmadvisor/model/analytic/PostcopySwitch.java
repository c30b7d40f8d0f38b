package io.lmadvisor.model.analytic;

import io.lmadvisor.model.Units;

/**
 * When a post-copy migration switches from pre-copy to post-copy: one definition for the simulator
 * (which models it) and the settings the advisor emits (which schedule {@code migrate-start-postcopy}).
 * CSAP's real post-copy runs sent 1.01 × the VM size at every dirty rate, i.e. they switched almost at
 * once; the simulator's fit puts the switch at 0.5 % of the first pass, and the model learned that.
 * Switching only after a full first pass would re-send what the VM dirtied meanwhile: longer than predicted.
 */
public final class PostcopySwitch {
    /** Share of the first pre-copy pass sent before the switch. */
    public static final double FIRST_PASS_FRACTION = 0.005;

    private PostcopySwitch() {}

    /** Milliseconds after the start at which to switch, for a VM of {@code vmSizeMiB} at {@code bandwidthMBps} (10^6 bytes/s). */
    public static long afterMs(double vmSizeMiB, double bandwidthMBps) {
        return Math.round(
                FIRST_PASS_FRACTION * Units.bytesOfMib(vmSizeMiB) / Units.bytesPerSecond(bandwidthMBps) * 1000.0);
    }
}
