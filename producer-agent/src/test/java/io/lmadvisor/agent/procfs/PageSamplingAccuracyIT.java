package io.lmadvisor.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Samples real processes ({@link DirtyingWorkload}) that dirty memory in known patterns with the default
 * sample size, and checks the estimates against the truth. Tolerances: PDR and WSS +-15% (sampling error
 * of a fixed 1024-page sample is ~3% here), MWPP +-5%, entropies +-0.02, VM size +-10%.
 */
class PageSamplingAccuracyIT {
    private static final int TICKS = 13;
    /** Entropy of 4096 uniformly random bytes, including the small-sample bias of the plug-in estimator. */
    private static final double RANDOM_ENTROPY = 0.994;

    private static final double LOW_ENTROPY = 0.25;

    record Case(
            String vmId,
            int mb,
            int nonZeroPercent,
            int wsPages,
            int pagesPerSec,
            int bytesPerPage,
            boolean wsRandom,
            boolean restRandom) {
        double expectedVmSizeMb() {
            return mb * nonZeroPercent / 100.0;
        }
    }

    private static final Case RANDOM_WS = new Case("procfs-it-random-ws", 64, 100, 8192, 2048, 64, true, false);
    private static final Case LOW_WS = new Case("procfs-it-low-ws", 32, 75, 4096, 1024, 1024, false, true);

    private static final class CollectingSink implements SampleSink {
        final Map<String, List<VmSample>> vms = new HashMap<>();
        final List<HostSample> hosts = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public void vm(VmSample s) {
            vms.computeIfAbsent(s.getVmId(), k -> new ArrayList<>()).add(s);
        }

        @Override
        public void host(HostSample s) {
            hosts.add(s);
        }

        @Override
        public void problem(String subject, String reason) {
            problems.add(subject + ": " + reason);
        }
    }

    @Test
    void estimatesMatchKnownDirtyingPatterns() throws Exception {
        String tag = "lmadvisor-dirty-" + UUID.randomUUID();
        List<Process> procs = new ArrayList<>();
        try {
            Process a = start(RANDOM_WS, Path.of("/dev/shm", tag + "-a"));
            procs.add(a);
            Process b = start(LOW_WS, Path.of("/dev/shm", tag + "-b"));
            procs.add(b);
            assertTrue(
                    TICKS - 2
                            > Math.max(
                                    RANDOM_WS.wsPages() / RANDOM_WS.pagesPerSec(),
                                    LOW_WS.wsPages() / LOW_WS.pagesPerSec()),
                    "ticks must cover the working sets");
            awaitReady(a);
            awaitReady(b);

            // Auto-detection (no override) finds the file mapping as a memory backend.
            GuestRam auto = GuestRam.locate(
                            GuestRam.parseMaps(Files.readString(Path.of("/proc/" + b.pid() + "/maps"))),
                            null,
                            OptionalLong.empty())
                    .orElseThrow();
            assertTrue(auto.how().contains("memory backend") && auto.how().contains(tag + "-b"), auto.how());
            assertEquals(LOW_WS.mb() * 256L, auto.totalPages());

            CollectingSink sink = new CollectingSink();
            try (ProcfsSource src = ProcfsSource.builder()
                    .pids(List.of((int) a.pid(), (int) b.pid()))
                    .mappingPattern("/" + tag + "-")
                    .hostId("it-host")
                    .build()) {
                assertTrue(
                        src.capabilities().contentSampling(), src.capabilities().message());
                for (int t = 0; t < TICKS; t++) {
                    // Half a second after the workloads' write bursts, so each interval holds exactly one burst.
                    long now = System.currentTimeMillis();
                    Thread.sleep(1000 - (now - 500) % 1000);
                    src.sample(Instant.now(), sink);
                }
                assertEquals(List.of(), sink.problems);
                StringBuilder report = new StringBuilder();
                check(RANDOM_WS, sink.vms.get(RANDOM_WS.vmId()), report);
                check(LOW_WS, sink.vms.get(LOW_WS.vmId()), report);
                Files.writeString(Path.of("target/procfs-accuracy.txt"), report.toString());
                System.out.print(report);

                assertEquals(TICKS - 1, sink.hosts.size());
                HostSample h = sink.hosts.get(sink.hosts.size() - 1);
                assertTrue(h.getMemAvailMb() > 0 && h.getMemAvailMb() <= h.getMemTotalMb(), h.toString());
                assertTrue(
                        h.getCpuAvailPercent() >= 0 && h.getCpuAvailPercent() <= 100.0 * h.getCpuCores() + 1,
                        h.toString());
                assertTrue(h.getMigrationLinkSpeedMBps() > 0, h.toString());

                // A VM whose process exits is reported once and dropped; the other goes on.
                a.destroyForcibly().waitFor();
                int before = sink.vms.get(LOW_WS.vmId()).size();
                src.sample(Instant.now(), sink);
                assertEquals(1, sink.problems.size(), sink.problems.toString());
                assertTrue(
                        sink.problems.get(0).contains("pid " + a.pid())
                                && sink.problems.get(0).contains("exited"),
                        sink.problems.get(0));
                assertFalse(src.trackedVms().containsKey((int) a.pid()));
                assertEquals(before + 1, sink.vms.get(LOW_WS.vmId()).size());
                Thread.sleep(200);
                src.sample(Instant.now(), sink);
                assertEquals(1, sink.problems.size(), sink.problems.toString());
            }
        } finally {
            for (Process p : procs) {
                p.destroyForcibly().waitFor();
            }
            try (var shm = Files.newDirectoryStream(Path.of("/dev/shm"), tag + "*")) {
                for (Path f : shm) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static void check(Case c, List<VmSample> samples, StringBuilder report) {
        assertNotNull(samples, c.vmId());
        assertEquals(TICKS - 1, samples.size(), c.vmId());
        double pdr = samples.stream()
                .mapToDouble(VmSample::getDirtiedPagesPerSec)
                .average()
                .orElseThrow();
        // A tick that saw no burst (writer late on a busy machine) has no changed pages: MWPP and WSE are null.
        double mwpp = samples.stream()
                .map(VmSample::getModifiedBytesPerPage)
                .filter(java.util.Objects::nonNull)
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        double wse = samples.stream()
                .map(VmSample::getChangedPageEntropy)
                .filter(java.util.Objects::nonNull)
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        VmSample last = samples.get(samples.size() - 1);
        // The non-working set is known once the whole working set has been seen to change (wsPages/rate s).
        double nwse = last.getUnchangedPageEntropy();
        long wss = last.getWorkingSetPages();
        double size = last.getVmSizeMb();
        double expectWse = c.wsRandom() ? RANDOM_ENTROPY : LOW_ENTROPY;
        double expectNwse = c.restRandom() ? RANDOM_ENTROPY : LOW_ENTROPY;
        report.append(String.format(
                "%s: PDR %.0f vs %d pages/s (%+.1f%%), WSS %d vs %d pages (%+.1f%%), MWPP %.1f vs %d"
                        + " bytes, WSE %.3f vs %.3f, NWSE %.3f vs %.3f, VM size %.1f vs %.1f MB (%+.1f%%)%n",
                c.vmId(),
                pdr,
                c.pagesPerSec(),
                rel(pdr, c.pagesPerSec()),
                wss,
                c.wsPages(),
                rel(wss, c.wsPages()),
                mwpp,
                c.bytesPerPage(),
                wse,
                expectWse,
                nwse,
                expectNwse,
                size,
                c.expectedVmSizeMb(),
                rel(size, c.expectedVmSizeMb())));
        report.append("  PDR per tick:");
        samples.forEach(v -> report.append(' ').append(Math.round(v.getDirtiedPagesPerSec())));
        report.append('\n');
        String ctx = c.vmId() + ": " + report;
        assertTrue(Math.abs(rel(pdr, c.pagesPerSec())) <= 15, ctx);
        assertTrue(Math.abs(rel(wss, c.wsPages())) <= 15, ctx);
        assertTrue(Math.abs(rel(mwpp, c.bytesPerPage())) <= 5, ctx);
        assertEquals(expectWse, wse, 0.02, ctx);
        assertEquals(expectNwse, nwse, 0.02, ctx);
        assertTrue(Math.abs(rel(size, c.expectedVmSizeMb())) <= 10, ctx);
        assertEquals(c.mb(), last.getMemorySizeMb(), ctx);
        assertNull(last.getInstructionsPerSec(), "IPS is absent, not 0");
        assertNull(last.getNetUtilMBps(), "no tap: network not measured");
        assertTrue(last.getCpuUtilPercent() >= 0, ctx);
        assertEquals("procfs", last.getSource());
    }

    private static double rel(double got, double want) {
        return 100.0 * (got - want) / want;
    }

    private static Process start(Case c, Path file) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of(DirtyingWorkload.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .toString();
        return new ProcessBuilder(
                        java,
                        "-Xmx64m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        cp,
                        DirtyingWorkload.class.getName(),
                        "-name",
                        "guest=" + c.vmId() + ",debug-threads=on",
                        "--file",
                        file.toString(),
                        "--mb",
                        String.valueOf(c.mb()),
                        "--nonzero-percent",
                        String.valueOf(c.nonZeroPercent()),
                        "--ws-pages",
                        String.valueOf(c.wsPages()),
                        "--pages-per-sec",
                        String.valueOf(c.pagesPerSec()),
                        "--bytes-per-page",
                        String.valueOf(c.bytesPerPage()),
                        "--ws-fill",
                        c.wsRandom() ? "random" : "low",
                        "--rest-fill",
                        c.restRandom() ? "random" : "low",
                        "--seed",
                        String.valueOf(c.vmId().hashCode()))
                .redirectErrorStream(true)
                .start();
    }

    private static void awaitReady(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("READY"), "workload did not start: " + line);
    }
}
