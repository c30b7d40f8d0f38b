package io.lmadvisor.model.features;

/**
 * Guest memory pages (4 KiB, as the agent, QEMU and the CSAP subset count them) and memory MB, which are
 * MiB (2^20 bytes, {@link io.lmadvisor.model.Units#BYTES_PER_MIB}); never use these for link bandwidths.
 */
public final class Pages {
    public static final double PAGE_BYTES = 4096.0;
    public static final double BYTES_PER_MB = io.lmadvisor.model.Units.BYTES_PER_MIB;
    public static final double PAGES_PER_MB = BYTES_PER_MB / PAGE_BYTES;

    private Pages() {
    }

    public static double toMb(double pages) {
        return pages / PAGES_PER_MB;
    }

    public static double fromMb(double mb) {
        return mb * PAGES_PER_MB;
    }
}
