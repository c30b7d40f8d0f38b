package io.lmadvisor.simulator.migration;

/**
 * Constants of the migration mechanics that are not migration parameters: the testbed's link and
 * QEMU's fixed costs. {@link #csap()} holds the values calibrated on the CSAP subset's 70% train
 * side (see docs/SIMULATOR.md); anything else is for what-if experiments on other hardware.
 *
 * @param linkUsableMBps          goodput ceiling of the migration link (1 GbE gives ~110 MB/s)
 * @param linkKnee                sharpness of the soft min between max-bandwidth and the link
 * @param rateLimitAccuracy       achieved rate / max-bandwidth below the link ceiling
 * @param pageOverhead            wire bytes per raw byte for plain pages (headers, zero-page markers)
 * @param setupMs                 time before the first page is sent (setup, bitmap, first sync)
 * @param precopyDowntimeBaseMs   stop-and-copy fixed cost: pause, device state, last sync, resume
 * @param postcopyDowntimeMs      post-copy switch-over (device state only)
 * @param deviceStateMb           device state sent during downtime
 * @param bandwidthEstimateFactor QEMU's measured bandwidth / real rate when it decides to stop
 * @param autoConvergeTriggerPeriods high-dirty periods QEMU needs before it throttles (dirty_rate_high_cnt)
 * @param xbzrleRunOverhead       encoded delta = MWPP × (1 + this) + header
 * @param xbzrleHeaderBytes       per-page header of an xbzrle delta
 * @param xbzrleEncodeMBps        xbzrle encode speed of the migration thread (raw MB/s)
 * @param zlibCoreMBps            zlib level-1 raw MB/s per core on incompressible memory (QEMU ≤ 9.0 threads)
 * @param zstdCoreMBps            zstd raw MB/s per core on incompressible memory (multifd)
 * @param compressFloor           compressed size / page size for a zero-entropy page
 * @param postcopySwitchFraction  share of the first pass sent before switching to post-copy
 * @param postcopyFaultLatencyMs  vCPU stall per remote page fault (effective: faults of several vCPUs overlap)
 * @param postcopyFaultTtMs       extra total time per remote fault (the background stream is interrupted)
 * @param postcopyReadFactor      guest page touches / page writes (reads fault too)
 * @param compressDispatchMBps    raw MB/s the single migration thread can hand to zlib threads (QEMU ≤ 9.0)
 * @param compressEstimateFactor  like bandwidthEstimateFactor, for compress: how much earlier than the wire rate
 *                                suggests QEMU 2.x stops a compressed migration (fitted; gives its long DT tail)
 */
public record Mechanics(
        double linkUsableMBps,
        double linkKnee,
        double rateLimitAccuracy,
        double pageOverhead,
        double setupMs,
        double precopyDowntimeBaseMs,
        double postcopyDowntimeMs,
        double deviceStateMb,
        double bandwidthEstimateFactor,
        int autoConvergeTriggerPeriods,
        double xbzrleRunOverhead,
        double xbzrleHeaderBytes,
        double xbzrleEncodeMBps,
        double zlibCoreMBps,
        double zstdCoreMBps,
        double compressFloor,
        double postcopySwitchFraction,
        double postcopyFaultLatencyMs,
        double postcopyFaultTtMs,
        double postcopyReadFactor,
        double compressDispatchMBps,
        double compressEstimateFactor) {

    /** Calibrated on the CSAP subset (train side); the CSAP testbed: 1 GbE, 4-core hosts, QEMU 2.x. */
    public static Mechanics csap() {
        return new Mechanics(
                110.5,
                20,
                1.003,
                1.007,
                0,
                110,
                2,
                0.5,
                1.0,
                2,
                0.25,
                16,
                600,
                12,
                250,
                0.03,
                io.lmadvisor.model.analytic.PostcopySwitch.FIRST_PASS_FRACTION,
                0.12,
                0.002,
                2.0,
                60,
                1);
    }

    public Mechanics withLinkUsableMBps(double v) {
        return new Mechanics(
                v,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                compressEstimateFactor);
    }

    public Mechanics withPostcopySwitchFraction(double v) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                v,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                compressEstimateFactor);
    }

    public Mechanics withZlibCoreMBps(double v) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                v,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                compressEstimateFactor);
    }

    public Mechanics withCompressDispatchMBps(double v) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                v,
                compressEstimateFactor);
    }

    public Mechanics withCompressEstimateFactor(double v) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                v);
    }

    public Mechanics withTimes(double setupMs, double precopyDowntimeBaseMs) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                compressEstimateFactor);
    }

    public Mechanics withPageOverhead(double v) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                v,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                bandwidthEstimateFactor,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                compressEstimateFactor);
    }

    public Mechanics withBandwidthEstimateFactor(double v) {
        return new Mechanics(
                linkUsableMBps,
                linkKnee,
                rateLimitAccuracy,
                pageOverhead,
                setupMs,
                precopyDowntimeBaseMs,
                postcopyDowntimeMs,
                deviceStateMb,
                v,
                autoConvergeTriggerPeriods,
                xbzrleRunOverhead,
                xbzrleHeaderBytes,
                xbzrleEncodeMBps,
                zlibCoreMBps,
                zstdCoreMBps,
                compressFloor,
                postcopySwitchFraction,
                postcopyFaultLatencyMs,
                postcopyFaultTtMs,
                postcopyReadFactor,
                compressDispatchMBps,
                compressEstimateFactor);
    }

    /** Rate the migration achieves with max-bandwidth {@code bandwidthMBps}: a soft min with the link. */
    public double effectiveRateMBps(double bandwidthMBps) {
        double set = bandwidthMBps * rateLimitAccuracy;
        return Math.pow(Math.pow(set, -linkKnee) + Math.pow(linkUsableMBps, -linkKnee), -1.0 / linkKnee);
    }
}
