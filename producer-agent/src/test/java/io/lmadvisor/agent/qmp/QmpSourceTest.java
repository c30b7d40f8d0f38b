package io.lmadvisor.agent.qmp;

import static io.lmadvisor.qmp.FakeQmpServer.GREETING_10_0_2;
import static io.lmadvisor.qmp.FakeQmpServer.error;
import static io.lmadvisor.qmp.FakeQmpServer.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.qmp.FakeQmpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpSourceTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Instant AT = Instant.parse("2026-11-24T12:00:00Z");
    private static final long TID = 4242;

    @TempDir
    Path dir;

    private Path sock;
    private Path proc;
    private final AtomicLong clock = new AtomicLong(1000 * SECOND);
    // What the fake QEMU answers; tests change these between polls.
    private volatile String dirtyStatus = "measuring";
    private volatile long dirtyRateMb = 3;
    private volatile String stats = "[]";
    private volatile String name = "vm-a";

    @BeforeEach
    void setUp() throws IOException {
        sock = dir.resolve("qmp.sock");
        proc = dir.resolve("proc");
        vcpuThread("qemu-system-x86", 0);
    }

    private void vcpuThread(String comm, long ticks) throws IOException {
        Path t = Files.createDirectories(proc.resolve(Long.toString(TID)));
        Files.writeString(t.resolve("comm"), comm + "\n");
        // utime (field 14) and stime (15) split the ticks; the comm holds a space and a parenthesis.
        Files.writeString(
                t.resolve("stat"),
                TID + " (qemu) x) S 1 1 1 0 -1 4194368 0 0 0 0 " + (ticks - ticks / 4) + " " + (ticks / 4)
                        + " 0 0 20 0 4 0 100 0 0\n");
    }

    private List<String> answer(String cmd, JsonNode m) {
        return switch (cmd) {
            case "query-name" -> List.of(ok(m, "{\"name\": \"" + name + "\"}"));
            case "query-memory-size-summary" -> List.of(ok(m, "{\"base-memory\": 268435456, \"plugged-memory\": 0}"));
            case "query-stats" -> List.of(ok(m, stats));
            case "query-cpus-fast" -> List.of(ok(m, "[{\"thread-id\": " + TID + ", \"cpu-index\": 0}]"));
            case "query-dirty-rate" ->
                List.of(ok(
                        m,
                        "measured".equals(dirtyStatus)
                                ? "{\"status\": \"measured\", \"dirty-rate\": " + dirtyRateMb + ", \"calc-time\": 1}"
                                : "{\"status\": \"" + dirtyStatus + "\", \"calc-time\": 1}"));
            default -> List.of(ok(m, "{}"));
        };
    }

    private FakeQmpServer qemu() throws IOException {
        return new FakeQmpServer(sock, GREETING_10_0_2, this::answer);
    }

    private QmpSource source(QmpSource.Builder b) {
        return b.hostId("host-1")
                .procRoot(proc)
                .commandTimeout(Duration.ofMillis(500))
                .nanoClock(clock::get)
                .buildWithoutPoller();
    }

    private void advance(double seconds) {
        clock.addAndGet((long) (seconds * SECOND));
    }

    private static RecordingSink sample(QmpSource s) {
        RecordingSink c = new RecordingSink();
        s.sample(AT, c);
        return c;
    }

    @Test
    void emitsAVmSampleOnceTheFirstMeasurementIsIn() throws Exception {
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socket(sock).agentVersion("t1"))) {
            s.pollOnce();
            RecordingSink first = sample(s);
            assertEquals(List.of(), first.vms, "no dirty rate measured yet");
            assertEquals(List.of(), first.problems, "warming up is not a problem");
            assertTrue(q.commands().contains("calc-dirty-rate"));

            advance(1);
            vcpuThread("qemu-system-x86", 50);
            dirtyStatus = "measured";
            s.pollOnce();
            RecordingSink c = sample(s);
            assertEquals(List.of(), c.problems);
            assertEquals(1, c.vms.size());
            VmSample v = c.vms.get(0);
            assertEquals("vm-a", v.getVmId());
            assertEquals("host-1", v.getHostId());
            assertEquals(AT, v.getTimestamp());
            assertEquals(256, v.getMemorySizeMb());
            assertEquals(256.0, v.getVmSizeMb());
            assertEquals(3 * 256.0, v.getDirtiedPagesPerSec(), 1e-9, "3 MiB/s is 768 pages of 4 KiB per second");
            assertEquals(50.0, v.getCpuUtilPercent(), 1e-9, "0.5 s of vCPU thread time in 1 s");
            assertEquals(1, v.getVcpus(), "query-cpus-fast lists one vCPU");
            assertNull(v.getInstructionsPerSec());
            assertNull(v.getWorkingSetPages(), "no host side: the page fields are absent, never 0");
            assertNull(v.getChangedPageEntropy());
            assertNull(v.getModifiedBytesPerPage());
            assertEquals(DirtyRateMethod.QMP_CALC_DIRTY_RATE, v.getDirtyRateMethod());
            assertEquals("qmp", v.getSource());
            assertEquals("t1", v.getAgentVersion());
        }
    }

    @Test
    void startsTheNextMeasurementRightAfterReadingOne() throws Exception {
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socket(sock, "given-id"))) {
            s.pollOnce();
            advance(0.5);
            s.pollOnce();
            assertEquals(
                    0,
                    q.commands().stream().filter("query-dirty-rate"::equals).count(),
                    "no query before calc-time has passed");
            advance(0.6);
            s.pollOnce();
            assertEquals(
                    1, q.commands().stream().filter("query-dirty-rate"::equals).count());
            assertEquals(
                    1, q.commands().stream().filter("calc-dirty-rate"::equals).count(), "still measuring");
            dirtyStatus = "measured";
            advance(0.1);
            s.pollOnce();
            List<String> cmds = q.commands();
            assertEquals("calc-dirty-rate", cmds.get(cmds.lastIndexOf("query-dirty-rate") + 1));
            JsonNode calc = q.received.get(cmds.lastIndexOf("calc-dirty-rate")).get("arguments");
            assertEquals(1, calc.path("calc-time").asInt());
            assertEquals(512, calc.path("sample-pages").asInt());
            assertEquals("page-sampling", calc.path("mode").asText());
            assertEquals("given-id", sample(s).vms.get(0).getVmId());
        }
    }

    @Test
    void reportsTheDisconnectAndReconnectsAfterTheVmRestarts() throws Exception {
        try (QmpSource s = source(QmpSource.builder().socket(sock))) {
            dirtyStatus = "measured";
            try (FakeQmpServer q = qemu()) {
                s.pollOnce();
                advance(1);
                s.pollOnce();
                assertEquals(1, sample(s).vms.size());
                q.dropClient();
                advance(1);
                s.pollOnce();
                RecordingSink c = sample(s);
                assertEquals(List.of(), c.vms, "no sample from a VM that went away");
                assertEquals(1, c.problems.size());
                assertTrue(
                        c.problems.get(0).startsWith("vm-a: ")
                                && c.problems.get(0).contains("(VM shut down or restarted?)"),
                        c.problems.get(0));
            }
            advance(1);
            s.pollOnce();
            assertTrue(sample(s).problems.get(0).contains("does not exist"));

            name = "vm-a-restarted";
            try (FakeQmpServer q = qemu()) {
                advance(2);
                s.pollOnce();
                assertTrue(q.commands().contains("calc-dirty-rate"), "reconnected: " + q.commands());
                advance(1.1);
                s.pollOnce();
                RecordingSink c = sample(s);
                assertEquals(List.of(), c.problems);
                assertEquals("vm-a-restarted", c.vms.get(0).getVmId());
            }
        }
    }

    @Test
    void missingSocketIsAProblemNotACrash() {
        try (QmpSource s = source(QmpSource.builder().socket(dir.resolve("nope.sock"), "vm-x"))) {
            s.pollOnce();
            RecordingSink c = sample(s);
            assertEquals(List.of(), c.vms);
            assertEquals(1, c.problems.size());
            assertTrue(
                    c.problems.get(0).startsWith("vm-x: ") && c.problems.get(0).contains("does not exist"),
                    c.problems.get(0));
        }
    }

    @Test
    void tooOldQemuIsRefusedWithItsVersion() throws Exception {
        String old = GREETING_10_0_2.replace("\"minor\": 0, \"major\": 10", "\"minor\": 1, \"major\": 6");
        try (FakeQmpServer q = new FakeQmpServer(sock, old, this::answer);
                QmpSource s = source(QmpSource.builder().socket(sock))) {
            s.pollOnce();
            String p = sample(s).problems.get(0);
            assertTrue(p.contains("QEMU 6.1.2") && p.contains("too old"), p);
        }
    }

    @Test
    void staleMeasurementIsNotPublished() throws Exception {
        dirtyStatus = "measured";
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socket(sock))) {
            s.pollOnce();
            advance(1);
            s.pollOnce();
            assertEquals(1, sample(s).vms.size());
            dirtyStatus = "measuring";
            for (int i = 0; i < 10; i++) {
                advance(1);
                s.pollOnce();
            }
            RecordingSink c = sample(s);
            assertEquals(List.of(), c.vms);
            assertTrue(c.problems.get(0).contains("no dirty-rate measurement"), c.problems.get(0));
        }
    }

    @Test
    void commandErrorsAreReportedWithQemusWords() throws Exception {
        FakeQmpServer.Responder r = (cmd, m) -> cmd.equals("calc-dirty-rate")
                ? List.of(error(m, "GenericError", "Parameter 'mode' is unexpected"))
                : answer(cmd, m);
        try (FakeQmpServer q = new FakeQmpServer(sock, GREETING_10_0_2, r);
                QmpSource s = source(QmpSource.builder().socket(sock))) {
            s.pollOnce();
            String p = sample(s).problems.get(0);
            assertTrue(p.contains("calc-dirty-rate failed: GenericError: Parameter 'mode' is unexpected"), p);
        }
    }

    @Test
    void threadsOfAnotherPidNamespaceAreNotMeasured() throws Exception {
        vcpuThread("bash", 10);
        dirtyStatus = "measured";
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socket(sock))) {
            s.pollOnce();
            advance(1);
            s.pollOnce();
            RecordingSink c = sample(s);
            assertEquals(List.of(), c.vms, "CPU is unknown, and a sample needs it: never 0 for unknown");
            assertTrue(c.problems.get(0).contains("not a QEMU thread"), c.problems.get(0));
        }
    }

    @Test
    void kvmHaltCountersGiveBusyTimeWhenQueryStatsHasThem() throws Exception {
        dirtyStatus = "measured";
        stats = kvmStats(0, 0);
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socket(sock))) {
            s.pollOnce();
            // Two vCPUs over 1 s: 1.5 s halted in all, so 0.5 s busy.
            stats = kvmStats(900_000_000L, 600_000_000L);
            advance(1);
            s.pollOnce();
            assertEquals(50.0, sample(s).vms.get(0).getCpuUtilPercent(), 1e-6);
            assertEquals(2, sample(s).vms.get(0).getVcpus(), "query-stats has two vCPUs");
            JsonNode args = q.received.stream()
                    .filter(m -> m.path("execute").asText().equals("query-stats"))
                    .findFirst()
                    .orElseThrow()
                    .get("arguments");
            assertEquals("vcpu", args.path("target").asText());
        }
    }

    private static String kvmStats(long wait0, long wait1) {
        return "[" + vcpuStats(0, wait0) + ", " + vcpuStats(1, wait1) + "]";
    }

    private static String vcpuStats(int i, long haltWaitNs) {
        return "{\"provider\": \"kvm\", \"qom-path\": \"/machine/unattached/device[" + i + "]\", \"stats\": ["
                + "{\"name\": \"halt_wait_ns\", \"value\": " + haltWaitNs + "}]}";
    }

    @Test
    void socketOptionTakesAnOptionalVmId() throws Exception {
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socketOption(sock + "=from-cli"))) {
            dirtyStatus = "measured";
            s.pollOnce();
            advance(1);
            s.pollOnce();
            assertEquals("from-cli", sample(s).vms.get(0).getVmId());
            assertEquals(
                    List.of("qmp_capabilities", "query-stats"), q.commands().subList(0, 2), "no query-name needed");
        }
    }

    @Test
    void globFollowsLibvirtStyleDirectoriesAndNamesVmsByThem() throws Exception {
        Path vmDir = Files.createDirectories(dir.resolve("qemu/domain-7-web01"));
        Files.createDirectories(dir.resolve("qemu/domain-8-db02"));
        Files.createFile(dir.resolve("qemu/domain-8-db02/other.file"));
        sock = vmDir.resolve("monitor.sock");
        name = "";
        dirtyStatus = "measured";
        try (FakeQmpServer q = qemu();
                QmpSource s = source(QmpSource.builder().socketGlob(dir + "/qemu/domain-*/monitor.sock"))) {
            assertEquals(List.of(sock), QmpSource.globMatches(dir + "/qemu/domain-*/monitor.sock"));
            s.pollOnce();
            advance(1);
            s.pollOnce();
            assertEquals("web01", sample(s).vms.get(0).getVmId());
        }
    }

    @Test
    void builderRejectsIncompleteOrBadOptions() {
        assertThrows(
                IllegalStateException.class,
                () -> QmpSource.builder().socket(sock).build());
        assertThrows(
                IllegalStateException.class,
                () -> QmpSource.builder().hostId("h").build());
        assertThrows(IllegalArgumentException.class, () -> QmpSource.builder().samplePages(5000));
        assertThrows(IllegalArgumentException.class, () -> QmpSource.builder().calcTimeSeconds(0));
    }
}
