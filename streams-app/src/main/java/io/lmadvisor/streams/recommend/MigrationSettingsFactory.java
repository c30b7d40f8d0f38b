package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.analytic.PostcopySwitch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The concrete knobs for a chosen algorithm: QEMU migration capabilities and parameters (QMP
 * {@code migrate-set-capabilities} / {@code migrate-set-parameters}), the equivalent {@code virsh
 * migrate} flags, and a KubeVirt MigrationPolicy. Compression uses multifd+zstd: QEMU 9.1 removed
 * the old {@code compress} capability.
 */
public final class MigrationSettingsFactory {
    public static final long DEFAULT_XBZRLE_CACHE_BYTES = 64L << 20;
    static final int MULTIFD_CHANNELS = 4;
    static final int THROTTLE_INITIAL_PERCENT = 20;
    static final int THROTTLE_INCREMENT_PERCENT = 10;
    /** KubeVirt's own default; we only ever raise it. */
    public static final long KUBEVIRT_DEFAULT_COMPLETION_TIMEOUT_PER_GIB_S = 150;

    private MigrationSettingsFactory() {}

    /**
     * @param downtimeLimitMs   the SLA's downtime limit, handed to QEMU as its downtime target
     * @param predictedTotalMs  the model's total time, used to size timeouts and the post-copy switch
     */
    public static MigrationSettings settingsFor(
            Algorithm algorithm,
            double bandwidthMBps,
            long downtimeLimitMs,
            double vmSizeMb,
            double wssMb,
            double predictedTotalMs) {
        Map<String, Boolean> caps = new LinkedHashMap<>();
        Map<String, String> params = new LinkedHashMap<>();
        List<String> virsh = new ArrayList<>(List.of("--live", "--persistent", "--undefinesource", "--verbose"));
        // bandwidthMBps is 10^6 bytes/s; QEMU takes bytes/s, virsh whole MiB/s (rounded down: never above the link).
        long bandwidthBytesPerS = Math.max(1, Units.bytesPerSecond(bandwidthMBps));
        long virshBandwidthMiBps = Math.max(1, (long) Math.floor(Units.mibPerSecond(bandwidthMBps)));
        params.put("downtime-limit", Long.toString(downtimeLimitMs));
        params.put("max-bandwidth", Long.toString(bandwidthBytesPerS));
        virsh.add("--bandwidth");
        virsh.add(Long.toString(virshBandwidthMiBps));
        boolean autoConverge = false;
        boolean postCopy = false;
        Long startPostcopyAfterMs = null;
        switch (algorithm) {
            case PRECOPY:
                break;
            case AUTO_CONVERGE:
                caps.put("auto-converge", true);
                params.put("cpu-throttle-initial", Integer.toString(THROTTLE_INITIAL_PERCENT));
                params.put("cpu-throttle-increment", Integer.toString(THROTTLE_INCREMENT_PERCENT));
                virsh.add("--auto-converge");
                virsh.add("--auto-converge-initial");
                virsh.add(Integer.toString(THROTTLE_INITIAL_PERCENT));
                virsh.add("--auto-converge-increment");
                virsh.add(Integer.toString(THROTTLE_INCREMENT_PERCENT));
                autoConverge = true;
                break;
            case XBZRLE:
                long cacheBytes = xbzrleCacheBytes(wssMb);
                caps.put("xbzrle", true);
                params.put("xbzrle-cache-size", Long.toString(cacheBytes));
                virsh.add("--compressed");
                virsh.add("--comp-methods");
                virsh.add("xbzrle");
                virsh.add("--comp-xbzrle-cache");
                virsh.add(Long.toString(cacheBytes));
                break;
            case COMPRESS:
                caps.put("multifd", true);
                params.put("multifd-channels", Integer.toString(MULTIFD_CHANNELS));
                params.put("multifd-compression", "zstd");
                virsh.add("--parallel");
                virsh.add("--parallel-connections");
                virsh.add(Integer.toString(MULTIFD_CHANNELS));
                virsh.add("--compressed");
                virsh.add("--comp-methods");
                virsh.add("zstd");
                break;
            case POSTCOPY:
                caps.put("postcopy-ram", true);
                // QEMU does not cap the post-copy phase by max-bandwidth (its max-postcopy-bandwidth defaults to
                // unlimited): without this, pages after the switch go at whatever the link gives.
                params.put("max-postcopy-bandwidth", Long.toString(bandwidthBytesPerS));
                virsh.add("--postcopy-bandwidth");
                virsh.add(Long.toString(virshBandwidthMiBps));
                // Switch where the model's training data (CSAP, the simulator) switched: early in the first pass.
                startPostcopyAfterMs = PostcopySwitch.afterMs(vmSizeMb, bandwidthMBps);
                virsh.add("--postcopy");
                virsh.add("--postcopy-after-precopy");
                postCopy = true;
                break;
            default:
                throw new IllegalArgumentException("unknown algorithm " + algorithm);
        }
        return MigrationSettings.newBuilder()
                .setQemuCapabilities(caps)
                .setQemuParameters(params)
                .setVirshFlags(virsh)
                .setAllowAutoConverge(autoConverge)
                .setAllowPostCopy(postCopy)
                .setBandwidthPerMigration(Long.toString(bandwidthBytesPerS))
                .setCompletionTimeoutPerGiB(completionTimeoutPerGiB(vmSizeMb, predictedTotalMs))
                .setStartPostcopyAfterMs(startPostcopyAfterMs)
                .build();
    }

    /** Cache the working set, rounded up to a power of two, between 64 MiB and 1 GiB. */
    static long xbzrleCacheBytes(double wssMb) {
        if (!(wssMb > 0)) {
            return DEFAULT_XBZRLE_CACHE_BYTES;
        }
        long want = (long) Math.ceil(wssMb) << 20;
        long size = Long.highestOneBit(Math.max(want, 1));
        if (size < want) {
            size <<= 1;
        }
        return Math.max(DEFAULT_XBZRLE_CACHE_BYTES, Math.min(size, 1L << 30));
    }

    /** Twice the predicted time per GiB, so a migration going as predicted never hits the timeout. */
    static long completionTimeoutPerGiB(double vmSizeMb, double predictedTotalMs) {
        if (!(predictedTotalMs > 0) || !(vmSizeMb > 0)) {
            return KUBEVIRT_DEFAULT_COMPLETION_TIMEOUT_PER_GIB_S;
        }
        double perGiBs = 2.0 * predictedTotalMs / 1000.0 / Units.gibOfMib(vmSizeMb);
        return Math.max(KUBEVIRT_DEFAULT_COMPLETION_TIMEOUT_PER_GIB_S, (long) Math.ceil(perGiBs));
    }
}
