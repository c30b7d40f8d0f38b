package io.lmadvisor.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The procfs source against a fake /proc and /sys tree in a temp dir. The fake /proc/PID/mem is a sparse
 * file read at "virtual addresses"; guest RAM (256 pages) is smaller than the sample, so every page is
 * sampled and the estimates are exact.
 */
class ProcfsSourceTest {
    private static final int RAM_PAGES = 256;
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    @TempDir
    Path dir;

    private Path proc;
    private Path sys;

    private static final class Sink implements SampleSink {
        final List<VmSample> vms = new ArrayList<>();
        final List<HostSample> hosts = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public void vm(VmSample s) {
            vms.add(s);
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

    private FakeProc fake;

    private void write(String rel, String text) throws IOException {
        fake.write(rel, text);
    }

    private void stat(int pid, long utime, long stime) throws IOException {
        fake.stat(pid, utime, stime);
    }

    private void hostFiles(long idle, long total, long ethBytes, long tapBytes) throws IOException {
        long busy = total - idle;
        write(
                "stat",
                "cpu  " + busy + " 0 0 " + idle + " 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n");
        write("meminfo", "MemTotal:       8388608 kB\nMemFree:        1000 kB\nMemAvailable:   4194304 kB\n");
        write(
                "net/dev",
                "Inter-|\n face |\n  eth0: " + ethBytes + " 0 0 0 0 0 0 0 " + (ethBytes / 2)
                        + " 0 0 0 0 0 0 0\n  tap7: " + tapBytes + " 0 0 0 0 0 0 0 " + tapBytes + " 0 0 0 0 0 0 0\n");
        write(
                "net/route",
                "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
                        + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\n");
    }

    private void pages(int pid, int first, int count, Integer fill, long seed) throws IOException {
        fake.pages(pid, first, count, fill, seed);
    }

    private void touch(int pid, int first, int count, int bytes) throws IOException {
        fake.touch(pid, first, count, bytes);
    }

    private void setUpTree() throws IOException {
        proc = dir.resolve("proc");
        sys = dir.resolve("sys");
        fake = new FakeProc(proc);
        fake.qemu(
                100,
                RAM_PAGES,
                "/usr/bin/qemu-system-x86_64",
                "-name",
                "guest=vm-a,debug-threads=on",
                "-m",
                "1",
                "-smp",
                "3",
                "-netdev",
                "tap,id=n0,ifname=tap7,script=no");
        pages(100, 0, 128, null, 1); // half random, half zero (never written)
        write("200/cmdline", "bash\0-c\0sleep 100\0");
        write("300/cmdline", "qemu-system-x86_64\0-uuid\0u-300\0");
        write("300/maps", "00400000-00401000 r-xp 00000000 08:01 1 /usr/bin/qemu-system-x86_64\n");
        stat(300, 0, 0);
        write("sys/kernel/hostname", "fake-host\n");
        hostFiles(1000, 2000, 0, 0);
        Files.createDirectories(sys.resolve("class/net/eth0"));
        Files.writeString(sys.resolve("class/net/eth0/speed"), "1000\n");
    }

    @Test
    void discoversQemuSamplesExactlyAndDropsExitedProcess() throws IOException {
        setUpTree();
        Sink sink = new Sink();
        try (ProcfsSource src = ProcfsSource.builder()
                .procRoot(proc)
                .sysRoot(sys)
                .selfTest(false)
                .build()) {
            src.sample(T0, sink);
            assertEquals(Map.of(100, "vm-a"), src.trackedVms(), "pid 200 is not QEMU, pid 300 has no RAM mapping");
            assertEquals(1, sink.problems.size());
            assertTrue(
                    sink.problems.get(0).contains("u-300")
                            && sink.problems.get(0).contains("no guest RAM"),
                    sink.problems.get(0));
            assertEquals(List.of(), sink.vms, "the first tick only primes");

            touch(100, 0, 32, 100); // 32 random pages, 100 bytes each
            pages(100, 200, 16, 3, 2); // 16 zero pages become constant (entropy 0), 4096 bytes modified
            stat(100, 1050, 210); // +60 ticks = 0.6 s of CPU over 2 s
            hostFiles(1000 + 300, 2000 + 400, 4_000_000, 1_000_000);
            src.sample(T0.plusSeconds(2), sink);

            assertEquals(1, sink.vms.size());
            VmSample v = sink.vms.get(0);
            assertEquals("vm-a", v.getVmId());
            assertEquals("fake-host", v.getHostId());
            assertEquals(1, v.getMemorySizeMb());
            assertEquals(48 / 2.0, v.getDirtiedPagesPerSec(), 1e-9);
            assertEquals(48L, v.getWorkingSetPages());
            assertEquals((32 * 100 + 16 * 4096) / 48.0, v.getModifiedBytesPerPage(), 1e-9);
            // Changed pages: 32 random (entropy of 4096 random bytes, < 1) and 16 constant (0).
            assertTrue(
                    v.getChangedPageEntropy() > 32 * 0.98 / 48 && v.getChangedPageEntropy() < 32.0 / 48,
                    String.valueOf(v.getChangedPageEntropy()));
            assertTrue(v.getUnchangedPageEntropy() > 0.98, "the 96 untouched random pages");
            assertEquals((128 + 16) / 256.0, v.getVmSizeMb(), 1e-9);
            assertEquals(30.0, v.getCpuUtilPercent(), 1e-9);
            assertEquals(3, v.getVcpus(), "-smp 3");
            assertEquals(1.0, v.getNetUtilMBps(), 1e-9); // 2 MB (rx + tx) over 2 s
            assertNull(v.getInstructionsPerSec());
            assertEquals(DirtyRateMethod.PAGE_SAMPLING, v.getDirtyRateMethod());

            assertEquals(1, sink.hosts.size());
            HostSample h = sink.hosts.get(0);
            assertEquals(2, h.getCpuCores());
            assertEquals(150.0, h.getCpuAvailPercent(), 1e-9); // 300 of 400 ticks idle on 2 cores
            assertEquals(8192, h.getMemTotalMb());
            assertEquals(4096, h.getMemAvailMb());
            assertEquals(125.0, h.getMigrationLinkSpeedMBps(), 1e-9);
            assertEquals(2.0, h.getNetUsedMBps(), 1e-9); // busier direction: rx 4 MB over 2 s
            assertEquals(123.0, h.getMigrationLinkAvailMBps(), 1e-9);

            // The process exits: reported once naming pid and VM, dropped, not reported again.
            deleteTree(proc.resolve("100"));
            src.sample(T0.plusSeconds(3), sink);
            assertEquals(2, sink.problems.size(), sink.problems.toString());
            assertTrue(
                    sink.problems.get(1).contains("vm-a")
                            && sink.problems.get(1).contains("exited"),
                    sink.problems.get(1));
            assertEquals(Map.of(), src.trackedVms());
            src.sample(T0.plusSeconds(4), sink);
            assertEquals(2, sink.problems.size(), sink.problems.toString());
        }
    }

    @Test
    void unknownLinkSpeedUsesConfiguredDefaultAndUnknownTapIsNull() throws IOException {
        setUpTree();
        Files.writeString(sys.resolve("class/net/eth0/speed"), "-1\n");
        write("100/cmdline", "qemu-system-x86_64\0-name\0vm-b\0");
        Sink sink = new Sink();
        try (ProcfsSource src = ProcfsSource.builder()
                .procRoot(proc)
                .sysRoot(sys)
                .selfTest(false)
                .pids(List.of(100))
                .defaultLinkSpeedMBps(1250)
                .hostId("h1")
                .build()) {
            src.sample(T0, sink);
            src.sample(T0.plusSeconds(1), sink);
        }
        assertEquals(1250.0, sink.hosts.get(0).getMigrationLinkSpeedMBps(), 1e-9);
        assertEquals("vm-b", sink.vms.get(0).getVmId());
        assertNull(sink.vms.get(0).getNetUtilMBps());
        assertEquals(0.0, sink.vms.get(0).getDirtiedPagesPerSec());
        assertNull(sink.vms.get(0).getModifiedBytesPerPage(), "no changed page: not measured");
    }

    @Test
    void permissionDeniedNamesProcessAndCapability() {
        String reason = ProcfsSource.classify(new AccessDeniedException("/proc/77/mem"), 77, "vm-x", "/proc/77")
                .reason();
        assertTrue(
                reason.contains("pid 77")
                        && reason.contains("vm-x")
                        && reason.contains("CAP_SYS_PTRACE")
                        && reason.contains("root"),
                reason);
        String exited = ProcfsSource.classify(new IOException("No such process"), 77, "vm-x", "/proc/77")
                .reason();
        assertTrue(exited.contains("exited"), exited);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
