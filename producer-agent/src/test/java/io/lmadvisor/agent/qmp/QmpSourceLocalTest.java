package io.lmadvisor.agent.qmp;

import static io.lmadvisor.qmp.FakeQmpServer.GREETING_10_0_2;
import static io.lmadvisor.qmp.FakeQmpServer.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lmadvisor.agent.procfs.FakeProc;
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

/**
 * The qmp source when QEMU runs on the agent's host: a fake QMP server whose vCPU thread belongs to a
 * QEMU process in a fake /proc tree. Guest RAM (256 pages, 1 MiB) is smaller than the page sample, so
 * the host-side estimates are exact.
 */
class QmpSourceLocalTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");
    private static final int PID = 100;
    private static final long TID = 4242;
    private static final int RAM_PAGES = 256;

    @TempDir
    Path dir;

    private Path sock;
    private FakeProc proc;
    private final AtomicLong clock = new AtomicLong(1000 * SECOND);
    private volatile String dirtyStatus = "measuring";
    private volatile long dirtyRateMb = 1;

    @BeforeEach
    void setUp() throws IOException {
        sock = dir.resolve("qmp.sock");
        proc = new FakeProc(dir.resolve("proc"));
        proc.qemu(
                PID,
                RAM_PAGES,
                "/usr/bin/qemu-system-x86_64",
                "-name",
                "guest=vm-a",
                "-m",
                "1",
                "-netdev",
                "tap,id=n0,ifname=tap7,script=no",
                "-qmp",
                "unix:" + sock + ",server=on,wait=off");
        proc.pages(PID, 0, 128, null, 1); // half random, half zero
        netDev(0);
        // The vCPU thread: a QEMU thread whose thread group is the QEMU process.
        proc.write(TID + "/comm", "qemu-system-x86\n");
        proc.write(TID + "/stat", TID + " (qemu-system-x86) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 4 0 100 0 0\n");
        proc.write(TID + "/status", "Name:\tqemu-system-x86\nTgid:\t" + PID + "\nPid:\t" + TID + "\n");
    }

    private void netDev(long tapBytes) throws IOException {
        proc.write(
                "net/dev", "Inter-|\n face |\n  tap7: " + tapBytes + " 0 0 0 0 0 0 0 " + tapBytes + " 0 0 0 0 0 0 0\n");
    }

    private void vcpuTicks(long ticks) throws IOException {
        proc.write(
                TID + "/stat",
                TID + " (qemu-system-x86) S 1 1 1 0 -1 0 0 0 0 0 " + ticks + " 0 0 0 20 0 4 0 100 0 0\n");
    }

    private List<String> answer(String cmd, JsonNode m) {
        return switch (cmd) {
            case "query-name" -> List.of(ok(m, "{\"name\": \"vm-a\"}"));
            case "query-memory-size-summary" -> List.of(ok(m, "{\"base-memory\": 1048576, \"plugged-memory\": 0}"));
            case "query-stats" -> List.of(ok(m, "[]"));
            case "query-cpus-fast" -> List.of(ok(m, "[{\"thread-id\": " + TID + ", \"cpu-index\": 0}]"));
            case "query-dirty-rate" ->
                List.of(ok(
                        m,
                        "measured".equals(dirtyStatus)
                                ? "{\"status\": \"measured\", \"dirty-rate\": " + dirtyRateMb + ", \"calc-time\": 1}"
                                : "{\"status\": \"measuring\", \"calc-time\": 1}"));
            default -> List.of(ok(m, "{}"));
        };
    }

    private QmpSource source() {
        return QmpSource.builder()
                .socket(sock)
                .hostId("host-1")
                .procRoot(proc.root)
                .commandTimeout(Duration.ofMillis(500))
                .nanoClock(clock::get)
                .buildWithoutPoller();
    }

    /** One second: the poller's round, then the agent's tick. */
    private RecordingSink second(QmpSource s, int n) {
        clock.addAndGet(SECOND);
        s.pollOnce();
        RecordingSink c = new RecordingSink();
        s.sample(T0.plusSeconds(n), c);
        return c;
    }

    @Test
    void localQemuGetsProcfsFieldsAndACombinedDirtyRate() throws Exception {
        try (FakeQmpServer q = new FakeQmpServer(sock, GREETING_10_0_2, this::answer);
                QmpSource s = source()) {
            s.pollOnce();
            RecordingSink first = new RecordingSink();
            s.sample(T0, first);
            assertEquals(List.of(), first.vms, "the first tick primes the page copies; QEMU is still measuring");
            assertEquals(List.of(), first.problems);

            proc.touch(PID, 0, 32, 100); // 32 of 256 pages change, 100 bytes each, in 1 s
            netDev(1_000_000); // 2 MB (rx + tx) in 1 s
            vcpuTicks(50);
            dirtyStatus = "measured"; // QEMU: 1 MiB/s = 256 pages/s
            RecordingSink c = second(s, 1);
            assertEquals(List.of(), c.problems);
            VmSample v = c.vms.get(0);
            assertEquals(DirtyRateMethod.COMBINED, v.getDirtyRateMethod());
            assertEquals(1, v.getMemorySizeMb());
            assertEquals(128 / 256.0, v.getVmSizeMb(), 1e-9, "non-zero pages, not the configured RAM");
            assertEquals(32L, v.getWorkingSetPages());
            assertEquals(100.0, v.getModifiedBytesPerPage(), 1e-9);
            assertTrue(v.getChangedPageEntropy() > 0.9, "random pages: " + v.getChangedPageEntropy());
            assertTrue(v.getUnchangedPageEntropy() > 0.9, "the 96 untouched random pages");
            assertEquals(2.0, v.getNetUtilMBps(), 1e-9);
            assertEquals(50.0, v.getCpuUtilPercent(), 1e-9, "QMP's vCPU thread time, as without a host side");
            // Host: 256 pages read, 32 pages/s; QEMU: 512 pages/GiB of 1 MiB = 1 page (floor 1), 256 pages/s.
            assertEquals((32.0 * 256 + 256.0 * 1) / 257, v.getDirtiedPagesPerSec(), 1e-9);

            // QEMU's measurement goes stale (it never finishes): page sampling alone gives the rate.
            dirtyStatus = "measuring";
            RecordingSink last = null;
            for (int n = 2; n <= 8; n++) {
                proc.touch(PID, 0, 8, 10);
                vcpuTicks(50L * n);
                last = second(s, n);
            }
            VmSample alone = last.vms.get(0);
            assertEquals(DirtyRateMethod.PAGE_SAMPLING, alone.getDirtyRateMethod());
            assertEquals(8.0, alone.getDirtiedPagesPerSec(), 1e-9);
            assertEquals(32L, alone.getWorkingSetPages(), "pages changed within the 20 s window");
        }
    }

    @Test
    void unreadableQemuProcessFallsBackToQmpAloneWithPageFieldsAbsent() throws Exception {
        Files.delete(proc.root.resolve(PID + "/mem")); // as without ptrace permission: /proc/PID/mem cannot be opened
        dirtyStatus = "measured";
        try (FakeQmpServer q = new FakeQmpServer(sock, GREETING_10_0_2, this::answer);
                QmpSource s = source()) {
            s.pollOnce();
            s.sample(T0, new RecordingSink());
            vcpuTicks(20);
            RecordingSink c = second(s, 1);
            assertEquals(List.of(), c.problems, "QMP still measures the VM: not a problem");
            VmSample v = c.vms.get(0);
            assertEquals(DirtyRateMethod.QMP_CALC_DIRTY_RATE, v.getDirtyRateMethod());
            assertEquals(256.0, v.getDirtiedPagesPerSec(), 1e-9);
            assertEquals(1.0, v.getVmSizeMb(), 1e-9, "configured RAM: an upper bound");
            assertNull(v.getWorkingSetPages());
            assertNull(v.getChangedPageEntropy());
            assertNull(v.getUnchangedPageEntropy());
            assertNull(v.getModifiedBytesPerPage());
            assertNull(v.getNetUtilMBps());
        }
    }

    @Test
    void processThatIsNotQemuIsNotSampled() throws Exception {
        // A vCPU thread id that, in this /proc, belongs to something else (QEMU in another PID namespace).
        proc.write(PID + "/cmdline", "bash\0-c\0sleep 100\0");
        dirtyStatus = "measured";
        try (FakeQmpServer q = new FakeQmpServer(sock, GREETING_10_0_2, this::answer);
                QmpSource s = source()) {
            s.pollOnce();
            s.sample(T0, new RecordingSink());
            proc.touch(PID, 0, 32, 100);
            vcpuTicks(20);
            VmSample v = second(s, 1).vms.get(0);
            assertEquals(DirtyRateMethod.QMP_CALC_DIRTY_RATE, v.getDirtyRateMethod());
            assertNull(v.getWorkingSetPages());
        }
    }

    @Test
    void failingQmpMeasurementIsReportedWhilePageSamplingMeasures() throws Exception {
        FakeQmpServer.Responder r = (cmd, m) -> cmd.equals("calc-dirty-rate")
                ? List.of(FakeQmpServer.error(m, "GenericError", "Parameter 'mode' is unexpected"))
                : answer(cmd, m);
        try (FakeQmpServer q = new FakeQmpServer(sock, GREETING_10_0_2, r);
                QmpSource s = source()) {
            s.pollOnce();
            s.sample(T0, new RecordingSink());
            proc.touch(PID, 0, 16, 10);
            vcpuTicks(20);
            RecordingSink c = second(s, 1);
            assertEquals(DirtyRateMethod.PAGE_SAMPLING, c.vms.get(0).getDirtyRateMethod());
            assertEquals(16.0, c.vms.get(0).getDirtiedPagesPerSec(), 1e-9);
            assertEquals(1, c.problems.size(), c.problems.toString());
            assertTrue(
                    c.problems.get(0).contains("Parameter 'mode' is unexpected")
                            && c.problems.get(0).contains("page sampling alone"),
                    c.problems.get(0));
        }
    }

    @Test
    void hostSamplingCanBeTurnedOff() throws Exception {
        dirtyStatus = "measured";
        try (FakeQmpServer q = new FakeQmpServer(sock, GREETING_10_0_2, this::answer);
                QmpSource s = QmpSource.builder()
                        .socket(sock)
                        .hostId("h")
                        .procRoot(proc.root)
                        .hostSampledPages(0)
                        .commandTimeout(Duration.ofMillis(500))
                        .nanoClock(clock::get)
                        .buildWithoutPoller()) {
            s.pollOnce();
            s.sample(T0, new RecordingSink());
            vcpuTicks(20);
            VmSample v = second(s, 1).vms.get(0);
            assertEquals(DirtyRateMethod.QMP_CALC_DIRTY_RATE, v.getDirtyRateMethod());
            assertEquals(1.0, v.getVmSizeMb(), 1e-9);
        }
    }
}
