package io.lmadvisor.lab;

import java.util.Locale;

/**
 * One lab workload: the guest's RAM, the workload program's parameters and the migration link.
 *
 * @param dirtyPagesPerSec pages dirtied per second; {@link #MAX_RATE} = as fast as the guest can
 * @param entropy {@code random}, {@code low} or a fraction 0..1 of random 8-byte words
 * @param cpuUnitsPerPage CPU work units per dirtied page (one unit = 1000 rounds of a 64-bit hash)
 */
public record Workload(
        String name,
        int ramMiB,
        int bufMiB,
        int wssMiB,
        long dirtyPagesPerSec,
        int bytesPerPage,
        String entropy,
        int cpuUnitsPerPage,
        int bandwidthMiBps,
        int downtimeLimitMs,
        long seed) {
    public static final long MAX_RATE = -1;
    public static final int PAGE_BYTES = 4096;
    /** Guest RAM the kernel and initramfs need beside the buffer. */
    public static final int GUEST_OVERHEAD_MIB = 128;

    public Workload {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        check(ramMiB >= 256 && ramMiB <= 16384, "ramMiB " + ramMiB + " is outside 256..16384");
        check(bufMiB >= 1, "bufMiB " + bufMiB + " must be at least 1");
        check(
                bufMiB + GUEST_OVERHEAD_MIB <= ramMiB,
                "bufMiB " + bufMiB + " leaves less than " + GUEST_OVERHEAD_MIB + " MiB of ramMiB " + ramMiB
                        + " to the guest kernel");
        check(wssMiB >= 1 && wssMiB <= bufMiB, "wssMiB " + wssMiB + " is outside 1..bufMiB (" + bufMiB + ")");
        check(
                dirtyPagesPerSec >= 0 || dirtyPagesPerSec == MAX_RATE,
                "dirtyPagesPerSec " + dirtyPagesPerSec + " must be 0 or more, or 'max'");
        check(
                bytesPerPage >= 64 && bytesPerPage <= PAGE_BYTES && bytesPerPage % 8 == 0,
                "bytesPerPage " + bytesPerPage + " must be a multiple of 8 in 64..4096");
        check(randomFraction(entropy) >= 0, "entropy '" + entropy + "' must be random, low or a fraction 0..1");
        check(cpuUnitsPerPage >= 0, "cpuUnitsPerPage " + cpuUnitsPerPage + " must be 0 or more");
        check(bandwidthMiBps >= 1, "bandwidthMiBps " + bandwidthMiBps + " must be at least 1");
        check(downtimeLimitMs >= 1, "downtimeLimitMs " + downtimeLimitMs + " must be at least 1");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The share of random words for an entropy setting, or -1 if it is not one (same rule as workload.c). */
    public static double randomFraction(String entropy) {
        if (entropy == null) {
            return -1;
        }
        switch (entropy) {
            case "random":
                return 1.0;
            case "low":
                return 0.02;
            default:
                try {
                    double f = Double.parseDouble(entropy);
                    return f >= 0 && f <= 1 ? f : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
        }
    }

    /** Dirty rate in MiB/s of whole pages (what a page-granular migration must resend), or NaN for max. */
    public double dirtyMiBps() {
        return dirtyPagesPerSec == MAX_RATE ? Double.NaN : dirtyPagesPerSec * (double) PAGE_BYTES / (1 << 20);
    }

    /** The workload's parameters on the guest kernel command line (read by workload.c). */
    public String kernelArgs() {
        return String.format(
                Locale.ROOT,
                "lmw.buf_mib=%d lmw.wss_mib=%d lmw.dirty_pps=%s lmw.bytes_per_page=%d lmw.entropy=%s lmw.cpu_per_page=%d lmw.seed=%d",
                bufMiB,
                wssMiB,
                dirtyPagesPerSec == MAX_RATE ? "max" : Long.toString(dirtyPagesPerSec),
                bytesPerPage,
                entropy,
                cpuUnitsPerPage,
                seed);
    }

    /** A small workload for smoke tests and probes. */
    public static Workload smoke() {
        return new Workload("smoke", 512, 64, 16, 2000, 4096, "random", 0, 256, 300, 1);
    }
}
