package io.lmadvisor.agent.procfs;

import io.lmadvisor.model.features.Pages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Random;

/**
 * Estimates, for guest RAM, the dirty rate, working set (pages changed within the window), working-set
 * entropy (pages changed this tick), non-working-set entropy (non-zero pages not changed within the
 * window, so it settles once the agent has watched one window), modified bytes per changed page and
 * non-zero size, from a fixed, seeded random sample of its pages read each tick through /proc/PID/mem and
 * compared with the copy read the tick before (memory: sampled pages x 4 KiB).
 *
 * <p>A page counts as dirtied when its content differs from the last tick's copy. Bias: a page written
 * several times between two ticks counts once, and a write that restores the old bytes not at all, so
 * the dirty rate is the rate of distinct pages changed per tick interval (for r writes/s spread uniformly
 * over a working set of W pages and interval T the expectation is W(1 - e^(-rT/W))/T, below r once rT
 * nears W). That is also what one pre-copy iteration of length T would have to resend.
 */
public final class PageSampler {
    private static final int PAGE = (int) Pages.PAGE_BYTES;
    /** c * log2(c) for byte counts 0..PAGE: entropy then needs 256 lookups, not 256 logarithms. */
    private static final double[] C_LOG2_C = new double[PAGE + 1];

    private static final double LOG2_PAGE = Math.log(PAGE) / Math.log(2);

    static {
        for (int c = 1; c <= PAGE; c++) {
            C_LOG2_C[c] = c * (Math.log(c) / Math.log(2));
        }
    }

    private final GuestRam ram;
    private final long totalPages;
    private final long[] addresses;
    private final long wssWindowMs;
    private final byte[] previous;
    private final float[] entropy;
    private final boolean[] nonZero;
    private final boolean[] seen;
    private final long[] lastChangedMs;
    private final byte[] current = new byte[PAGE];
    private final ByteBuffer currentBuffer = ByteBuffer.wrap(current);
    private final int[] histogram = new int[256];
    private boolean primed;

    /** Samples {@code min(sampledPages, total)} distinct pages of {@code ram}, chosen by {@code seed}. */
    public PageSampler(GuestRam ram, int sampledPages, long seed, long wssWindowMs) {
        if (sampledPages <= 0) {
            throw new IllegalArgumentException("sampledPages must be positive, got " + sampledPages);
        }
        this.ram = ram;
        this.totalPages = ram.totalPages();
        this.wssWindowMs = wssWindowMs;
        long[] indices = choose(totalPages, (int) Math.min(sampledPages, totalPages), new Random(seed));
        this.addresses = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            addresses[i] = ram.pageAddress(indices[i]);
        }
        this.previous = new byte[indices.length * PAGE];
        this.entropy = new float[indices.length];
        this.nonZero = new boolean[indices.length];
        this.seen = new boolean[indices.length];
        this.lastChangedMs = new long[indices.length];
        Arrays.fill(lastChangedMs, Long.MIN_VALUE);
    }

    public GuestRam ram() {
        return ram;
    }

    public int sampledPages() {
        return addresses.length;
    }

    /** Sorted distinct indices in [0, total): Floyd's algorithm for small samples, all pages when it fits. */
    private static long[] choose(long total, int k, Random rnd) {
        if (k == total) {
            long[] all = new long[k];
            for (int i = 0; i < k; i++) {
                all[i] = i;
            }
            return all;
        }
        java.util.HashSet<Long> picked = new java.util.HashSet<>(k * 2);
        for (long j = total - k; j < total; j++) {
            long t = (long) (rnd.nextDouble() * (j + 1));
            picked.add(picked.contains(t) ? j : t);
        }
        // Ascending addresses: reads then walk the address space in order.
        return picked.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** What one tick measured. Nullable values are null when no sampled page fell in that class. */
    public record Stats(
            int pagesRead,
            int pagesUnreadable,
            int pagesChanged,
            double dirtiedPagesPerSec,
            long workingSetPages,
            Double changedPageEntropy,
            Double unchangedPageEntropy,
            Double modifiedBytesPerPage,
            double vmSizeMb,
            long totalPages) {}

    /**
     * Reads every sampled page through {@code mem} (positioned at virtual addresses). The first call only
     * stores the copies and returns null; later calls compare with them.
     *
     * @throws IOException when no sampled page could be read at all (the caller reports the VM)
     */
    public Stats tick(FileChannel mem, long nowMs, double elapsedS) throws IOException {
        int read = 0;
        int unreadable = 0;
        int changed = 0;
        long modifiedBytes = 0;
        double changedEntropySum = 0;
        double unchangedEntropySum = 0;
        int unchangedNonZero = 0;
        int nonZeroCount = 0;
        int inWorkingSet = 0;
        IOException lastError = null;
        for (int i = 0; i < addresses.length; i++) {
            try {
                readPage(mem, addresses[i]);
            } catch (IOException e) {
                // EIO: no page there (e.g. beyond the backing file's end); it just leaves the sample this tick.
                unreadable++;
                lastError = e;
                continue;
            }
            read++;
            int off = i * PAGE;
            if (!seen[i]) {
                seen[i] = true;
                store(i, off);
            } else if (!Arrays.equals(previous, off, off + PAGE, current, 0, PAGE)) {
                changed++;
                lastChangedMs[i] = nowMs;
                modifiedBytes += differingBytes(off);
                store(i, off);
                changedEntropySum += entropy[i];
            }
            if (nonZero[i]) {
                nonZeroCount++;
            }
            if (lastChangedMs[i] != Long.MIN_VALUE && nowMs - lastChangedMs[i] < wssWindowMs) {
                inWorkingSet++;
            } else if (nonZero[i]) {
                // Non-working set: non-zero pages not changed within the window (not merely unchanged this tick).
                unchangedNonZero++;
                unchangedEntropySum += entropy[i];
            }
        }
        if (read == 0) {
            throw lastError != null ? lastError : new IOException("no pages sampled");
        }
        boolean first = !primed;
        primed = true;
        if (first || elapsedS <= 0) {
            return null;
        }
        double scale = (double) totalPages / read;
        return new Stats(
                read,
                unreadable,
                changed,
                changed * scale / elapsedS,
                Math.round(inWorkingSet * scale),
                changed == 0 ? null : changedEntropySum / changed,
                unchangedNonZero == 0 ? null : unchangedEntropySum / unchangedNonZero,
                changed == 0 ? null : (double) modifiedBytes / changed,
                Pages.toMb(nonZeroCount * scale),
                totalPages);
    }

    private void readPage(FileChannel mem, long address) throws IOException {
        currentBuffer.clear();
        while (currentBuffer.hasRemaining()) {
            int n = mem.read(currentBuffer, address + currentBuffer.position());
            if (n <= 0) {
                // 0 bytes: the address space is gone (process exiting) or nothing is mapped there.
                throw new IOException("short read at 0x" + Long.toHexString(address) + " (" + currentBuffer.position()
                        + " of " + PAGE + " bytes)");
            }
        }
    }

    /** Keeps the page as the new reference copy and caches its entropy and zero-ness (both change only with it). */
    private void store(int i, int off) {
        System.arraycopy(current, 0, previous, off, PAGE);
        double e = byteEntropy(current, histogram);
        entropy[i] = (float) e;
        nonZero[i] = histogram[0] != PAGE;
    }

    private int differingBytes(int off) {
        int n = 0;
        for (int j = 0; j < PAGE; j++) {
            if (previous[off + j] != current[j]) {
                n++;
            }
        }
        return n;
    }

    /**
     * Shannon entropy of the byte values of one page, in bits per byte / 8 (0 for a constant page, 1 for
     * uniformly distributed bytes). Leaves the byte histogram in {@code histogram}.
     */
    public static double byteEntropy(byte[] page, int[] histogram) {
        if (page.length != PAGE) {
            throw new IllegalArgumentException("page must be " + PAGE + " bytes, got " + page.length);
        }
        Arrays.fill(histogram, 0);
        for (byte b : page) {
            histogram[b & 0xff]++;
        }
        double sum = 0;
        for (int c : histogram) {
            sum += C_LOG2_C[c];
        }
        // H = log2(N) - sum(c log2 c) / N, N = bytes per page.
        return Math.max(0.0, (LOG2_PAGE - sum / PAGE) / 8.0);
    }
}
