package io.lmadvisor.agent.procfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Test helper process standing in for a guest: maps a file (a recognisable path at a stable address, unlike
 * heap arrays that GC moves), fills it, then at every wall-clock second boundary rewrites the next
 * {@code pages-per-sec} pages of a shuffled working set, round robin, changing {@code bytes-per-page}
 * contiguous bytes of each to a different value. Round robin with working set / rate >= 2 means no page is
 * written twice between two ticks one second apart, so the dirty-rate estimator has no saturation bias here.
 *
 * <p>Args: {@code --file P --mb N --nonzero-percent P --ws-pages W --pages-per-sec K --bytes-per-page B
 * --ws-fill random|low --rest-fill random|low --seed S}; any {@code -name X} is ignored (it names the "VM").
 * Prints {@code READY} when filled; exits when stdin closes.
 */
public final class DirtyingWorkload {
    private static final int PAGE = 4096;
    /** "low" fill: 4 equally likely symbols, byte entropy 2 bits = 0.25. */
    private static final byte[] LOW = {0x11, 0x22, 0x44, (byte) 0x88};

    private DirtyingWorkload() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Path file = Path.of(a.get("--file"));
        int totalPages = Integer.parseInt(a.get("--mb")) * 256;
        int nonZeroPages =
                (int) ((long) totalPages * Integer.parseInt(a.getOrDefault("--nonzero-percent", "100")) / 100);
        int wsPages = Integer.parseInt(a.get("--ws-pages"));
        int perSec = Integer.parseInt(a.get("--pages-per-sec"));
        int bytesPerPage = Integer.parseInt(a.get("--bytes-per-page"));
        boolean wsRandom = a.getOrDefault("--ws-fill", "random").equals("random");
        boolean restRandom = a.getOrDefault("--rest-fill", "random").equals("random");
        Random rnd = new Random(Long.parseLong(a.getOrDefault("--seed", "1")));

        // Working set: a random subset of the non-zero pages, in shuffled order.
        int[] order = new int[nonZeroPages];
        for (int i = 0; i < nonZeroPages; i++) {
            order[i] = i;
        }
        for (int i = nonZeroPages - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] inWs = new boolean[totalPages];
        for (int i = 0; i < wsPages; i++) {
            inWs[order[i]] = true;
        }

        try (FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer mem = ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) totalPages * PAGE);
            byte[] page = new byte[PAGE];
            for (int p = 0; p < nonZeroPages; p++) {
                boolean random = inWs[p] ? wsRandom : restRandom;
                for (int j = 0; j < PAGE; j++) {
                    page[j] = random ? (byte) rnd.nextInt(256) : LOW[rnd.nextInt(4)];
                }
                mem.put(p * PAGE, page);
            }
            // Warm the JIT up before READY: an interpreted burst can outlast half a second and straddle a tick.
            int cursor = 0;
            for (int i = 0; i < 10; i++) {
                cursor = burst(mem, order, cursor, wsPages, perSec, bytesPerPage, wsRandom, rnd);
            }
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            watchStdin(file);
            while (true) {
                long now = System.currentTimeMillis();
                Thread.sleep(1000 - now % 1000);
                cursor = burst(mem, order, cursor, wsPages, perSec, bytesPerPage, wsRandom, rnd);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Rewrites the next {@code perSec} working-set pages; returns the new cursor. */
    private static int burst(
            MappedByteBuffer mem,
            int[] order,
            int cursor,
            int wsPages,
            int perSec,
            int bytesPerPage,
            boolean wsRandom,
            Random rnd) {
        for (int n = 0; n < perSec; n++) {
            int p = order[cursor];
            cursor = (cursor + 1) % wsPages;
            int base = p * PAGE + rnd.nextInt(PAGE - bytesPerPage + 1);
            for (int j = 0; j < bytesPerPage; j++) {
                byte old = mem.get(base + j);
                mem.put(base + j, wsRandom ? (byte) (old ^ (1 + rnd.nextInt(255))) : otherLow(old, rnd));
            }
        }
        return cursor;
    }

    private static byte otherLow(byte old, Random rnd) {
        while (true) {
            byte b = LOW[rnd.nextInt(4)];
            if (b != old) {
                return b;
            }
        }
    }

    /** Exit when the test closes our stdin (or dies), so no workload outlives its test. */
    private static void watchStdin(Path file) {
        Thread t = new Thread(
                () -> {
                    try (InputStream in = System.in) {
                        while (in.read() >= 0) {
                            // drain
                        }
                    } catch (IOException e) {
                        // treat like EOF
                    }
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        // the test's own cleanup removes it
                    }
                    Runtime.getRuntime().halt(0);
                },
                "stdin-watch");
        t.setDaemon(true);
        t.start();
    }
}
