package io.lmadvisor.simulator.migration;

/**
 * What the operator sets for one migration (QEMU migration parameters).
 *
 * @param bandwidthMBps          max-bandwidth (the CSAP "page transfer rate", PTR)
 * @param downtimeLimitMs        downtime-limit: pre-copy stops once the rest fits in it
 * @param timeoutMs              after this long a non-converging pre-copy is forced to switch over
 * @param xbzrleCacheMb          xbzrle-cache-size
 * @param compressionMode        zlib threads (old {@code compress}) or multifd+zstd
 * @param compressThreads        compress-threads, or multifd channels for zstd
 * @param autoConvergeInitialPct cpu-throttle-initial
 * @param autoConvergeStepPct    cpu-throttle-increment
 * @param autoConvergeMaxPct     max-cpu-throttle
 */
public record MigrationSettings(
        double bandwidthMBps,
        double downtimeLimitMs,
        double timeoutMs,
        double xbzrleCacheMb,
        CompressionMode compressionMode,
        int compressThreads,
        double autoConvergeInitialPct,
        double autoConvergeStepPct,
        double autoConvergeMaxPct) {
    public static final double DEFAULT_DOWNTIME_LIMIT_MS =
            io.lmadvisor.model.analytic.GeometricPrecopy.DEFAULT_DOWNTIME_LIMIT_MS;
    /** Longer than any CSAP pre-copy (max 229 s). */
    public static final double DEFAULT_TIMEOUT_MS = 300_000.0;

    public static final double DEFAULT_XBZRLE_CACHE_MB = 64.0;
    public static final int DEFAULT_COMPRESS_THREADS = 8;

    public MigrationSettings {
        if (!(bandwidthMBps > 0) || !(downtimeLimitMs > 0) || !(timeoutMs > 0) || !(xbzrleCacheMb >= 0)) {
            throw new IllegalArgumentException("bandwidth, downtime limit and timeout must be positive");
        }
        if (compressThreads < 1) {
            throw new IllegalArgumentException("compressThreads must be at least 1");
        }
        if (!(autoConvergeInitialPct > 0
                && autoConvergeStepPct > 0
                && autoConvergeMaxPct <= 99
                && autoConvergeInitialPct <= autoConvergeMaxPct)) {
            throw new IllegalArgumentException("auto-converge throttle must be 0 < initial <= max <= 99, step > 0");
        }
    }

    /** QEMU defaults (zlib-era compression, as in CSAP) with the given bandwidth. */
    public static MigrationSettings defaults(double bandwidthMBps) {
        return new MigrationSettings(
                bandwidthMBps,
                DEFAULT_DOWNTIME_LIMIT_MS,
                DEFAULT_TIMEOUT_MS,
                DEFAULT_XBZRLE_CACHE_MB,
                CompressionMode.ZLIB_THREADS,
                DEFAULT_COMPRESS_THREADS,
                20,
                10,
                99);
    }

    public MigrationSettings withBandwidth(double mbps) {
        return new MigrationSettings(
                mbps,
                downtimeLimitMs,
                timeoutMs,
                xbzrleCacheMb,
                compressionMode,
                compressThreads,
                autoConvergeInitialPct,
                autoConvergeStepPct,
                autoConvergeMaxPct);
    }

    public MigrationSettings withCompression(CompressionMode mode, int threads) {
        return new MigrationSettings(
                bandwidthMBps,
                downtimeLimitMs,
                timeoutMs,
                xbzrleCacheMb,
                mode,
                threads,
                autoConvergeInitialPct,
                autoConvergeStepPct,
                autoConvergeMaxPct);
    }

    public MigrationSettings withXbzrleCacheMb(double mb) {
        return new MigrationSettings(
                bandwidthMBps,
                downtimeLimitMs,
                timeoutMs,
                mb,
                compressionMode,
                compressThreads,
                autoConvergeInitialPct,
                autoConvergeStepPct,
                autoConvergeMaxPct);
    }

    public MigrationSettings withTimeoutMs(double ms) {
        return new MigrationSettings(
                bandwidthMBps,
                downtimeLimitMs,
                ms,
                xbzrleCacheMb,
                compressionMode,
                compressThreads,
                autoConvergeInitialPct,
                autoConvergeStepPct,
                autoConvergeMaxPct);
    }

    public MigrationSettings withDowntimeLimitMs(double ms) {
        return new MigrationSettings(
                bandwidthMBps,
                ms,
                timeoutMs,
                xbzrleCacheMb,
                compressionMode,
                compressThreads,
                autoConvergeInitialPct,
                autoConvergeStepPct,
                autoConvergeMaxPct);
    }
}
