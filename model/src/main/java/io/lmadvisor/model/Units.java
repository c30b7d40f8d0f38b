package io.lmadvisor.model;

/**
 * The project's one definition of its size and rate units. Memory sizes are MiB (2^20 bytes); link
 * and migration bandwidths are MB/s (10^6 bytes/s), as network links are rated; QEMU's
 * {@code max-bandwidth} is bytes/s and virsh's {@code --bandwidth} MiB/s. Convert at the boundary,
 * here, and name every figure with its unit.
 */
public final class Units {
    /** Bytes in a MB, the unit of link and migration bandwidths (MB/s). */
    public static final long BYTES_PER_MB = 1_000_000L;
    /** Bytes in a MiB, the unit of memory sizes. */
    public static final long BYTES_PER_MIB = 1L << 20;
    /** Bytes in a guest memory page, as the agents, QEMU and the CSAP subset count them. */
    public static final int PAGE_BYTES = 4096;
    /** Pages in a MiB. */
    public static final double PAGES_PER_MIB = (double) BYTES_PER_MIB / PAGE_BYTES;

    private Units() {}

    /** A bandwidth in MB/s as bytes/s (QEMU's {@code max-bandwidth}), rounded to the nearest byte. */
    public static long bytesPerSecond(double bandwidthMBps) {
        return Math.round(bandwidthMBps * BYTES_PER_MB);
    }

    /** A bandwidth in MB/s as MiB/s. */
    public static double mibPerSecond(double bandwidthMBps) {
        return bandwidthMBps * BYTES_PER_MB / BYTES_PER_MIB;
    }

    /** A byte rate as MB/s. */
    public static double mbPerSecond(double bytesPerSecond) {
        return bytesPerSecond / BYTES_PER_MB;
    }

    /** Pages (or pages per second) as MiB (or MiB/s): the one pages-to-memory conversion. */
    public static double mibOfPages(double pages) {
        return pages / PAGES_PER_MIB;
    }

    /** MiB (or MiB/s) as pages (or pages per second). */
    public static double pagesOfMib(double mib) {
        return mib * PAGES_PER_MIB;
    }

    /** MiB as GiB. */
    public static double gibOfMib(double mib) {
        return mib / 1024.0;
    }

    /** Bytes as MiB. */
    public static double mibOfBytes(double bytes) {
        return bytes / BYTES_PER_MIB;
    }

    /** A memory size in MiB as bytes. */
    public static long bytesOfMib(double mib) {
        return Math.round(mib * BYTES_PER_MIB);
    }
}
