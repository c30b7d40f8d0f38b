package io.lmadvisor.simulator.migration;

/** How the COMPRESS algorithm compresses pages. */
public enum CompressionMode {
    /** QEMU ≤ 9.0 {@code compress} capability: zlib in N compression threads feeding one stream. */
    ZLIB_THREADS,
    /** QEMU ≥ 9.1: multifd channels with zstd (the {@code compress} capability is gone). */
    MULTIFD_ZSTD
}
