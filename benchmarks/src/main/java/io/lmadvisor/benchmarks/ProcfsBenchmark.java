package io.lmadvisor.benchmarks;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.procfs.ProcfsSource;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.features.Pages;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * CPU cost of the procfs source per VM per tick: thread CPU time of {@link ProcfsSource#sample} over
 * once-a-second ticks. Without a pid it samples a "guest" of its own: a file in /dev/shm mapped into this
 * JVM, filled with random bytes, of which a thread rewrites 5% of the pages every second. Not a test:
 * timings vary.
 *
 * <p>Args: {@code [sampledPages=1024] [guestMb=512] [seconds=20] [pid] [mappingRegex]}.
 */
public final class ProcfsBenchmark {
    private ProcfsBenchmark() {}

    public static void main(String[] args) throws Exception {
        int sampled = args.length > 0 ? Integer.parseInt(args[0]) : ProcfsSource.Options.DEFAULT_SAMPLED_PAGES;
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Integer pid = args.length > 3 ? Integer.valueOf(args[3]) : null;
        String regex = args.length > 4 ? args[4] : null;
        Path file = null;
        Thread writer = null;
        try {
            if (pid == null) {
                file = Files.createTempFile(Path.of("/dev/shm"), "lmadvisor-bench-", ".ram");
                writer = ownGuest(file, mb);
                pid = (int) ProcessHandle.current().pid();
                regex = file.getFileName().toString();
            }
            int[] counts = new int[2];
            SampleSink sink = new SampleSink() {
                @Override
                public void vm(VmSample sample) {
                    counts[0]++;
                }

                @Override
                public void host(HostSample sample) {}

                @Override
                public void problem(String subject, String reason) {
                    counts[1]++;
                    System.err.println("problem: " + subject + ": " + reason);
                }
            };
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try (ProcfsSource src = ProcfsSource.builder()
                    .pids(List.of(pid))
                    .mappingPattern(regex)
                    .sampledPages(sampled)
                    .hostSamples(false)
                    .build()) {
                // Warm-up: the first ticks include JIT compilation and the priming read.
                for (int i = 0; i < 5; i++) {
                    src.sample(Instant.now(), sink);
                    Thread.sleep(1000);
                }
                long cpuNs = 0;
                for (int i = 0; i < seconds; i++) {
                    long t0 = threads.getCurrentThreadCpuTime();
                    src.sample(Instant.now(), sink);
                    cpuNs += threads.getCurrentThreadCpuTime() - t0;
                    Thread.sleep(1000);
                }
                double msPerTick = cpuNs / 1e6 / seconds;
                System.out.printf(
                        "procfs sampling, %d sampled pages (%.1f MB of page copies), pid %d: %.2f ms CPU per"
                                + " VM per tick = %.2f%% of one core at 1 tick/s (%d ticks, %d samples, %d problems)%n",
                        sampled, Pages.toMb(sampled), pid, msPerTick, msPerTick / 10.0, seconds, counts[0], counts[1]);
            }
        } finally {
            if (writer != null) {
                writer.interrupt();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Maps and fills {@code mb} MB of {@code file}; a daemon thread rewrites 5% of its pages each second. */
    private static Thread ownGuest(Path file, int mb) throws Exception {
        int page = (int) Pages.PAGE_BYTES;
        int pages = (int) Pages.fromMb(mb);
        MappedByteBuffer ram;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ram = ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) pages * page);
        }
        Random rnd = new Random(1);
        byte[] buf = new byte[page];
        for (int p = 0; p < pages; p++) {
            rnd.nextBytes(buf);
            ram.put(p * page, buf);
        }
        Thread t = new Thread(
                () -> {
                    Random r = new Random(2);
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            for (int i = 0; i < pages / 20; i++) {
                                int at = r.nextInt(pages) * page + r.nextInt(page - 64);
                                for (int j = 0; j < 64; j++) {
                                    ram.put(at + j, (byte) r.nextInt());
                                }
                            }
                            Thread.sleep(1000);
                        }
                    } catch (InterruptedException e) {
                        // benchmark over
                    }
                },
                "bench-guest-writer");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
