package io.lmadvisor.agent.qmp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.procfs.ProcfsSource;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.qmp.RealQemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The qmp source and the procfs source on the same real guest (QEMU 9+, TCG, 256 MiB, no disk) must
 * agree. The guest is a 58-byte multiboot program that writes a counter into every page of a 32 MiB
 * working set, over and over, next to 16 MiB of random data loaded into RAM: both sources must report
 * about the same VM size (well below the configured 256 MiB), working set, dirty rate and entropy. They
 * sample different pages (different seeds), so the agreement is that of two independent estimates;
 * 4096 sampled pages each keep the sampling error near 4 %. Skipped without QEMU 9+.
 */
class QmpProcfsParityQemuTest {
    private static final int RAM_MIB = 256;
    private static final int DATA_MIB = 16;
    private static final int WORKING_SET_PAGES = 32 << 8;
    private static final int SAMPLED_PAGES = 4096;
    /**
     * A multiboot v1 kernel in flat form (header flag 16: load and entry addresses in the header), loaded at
     * 1 MiB, entered in 32-bit protected mode. Assembled with GNU as from:
     * <pre>
     *   start: xor %eax, %eax
     *   outer: inc %eax
     *          mov $0x01000000, %edi       # 16 MiB
     *   inner: mov %eax, (%edi)            # one counter per page
     *          add $4096, %edi
     *          cmp $0x03000000, %edi       # up to 48 MiB: 8192 pages
     *          jb inner
     *          jmp outer
     * </pre>
     */
    private static final int[] DIRTY_KERNEL = {
        0x02, 0xb0, 0xad, 0x1b, 0x00, 0x00, 0x01, 0x00, 0xfe, 0x4f, 0x51, 0xe4, 0x00, 0x00, 0x10, 0x00,
        0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00,
        0x31, 0xc0, 0x40, 0xbf, 0x00, 0x00, 0x00, 0x01, 0x89, 0x07, 0x81, 0xc7, 0x00, 0x10, 0x00, 0x00,
        0x81, 0xff, 0x00, 0x00, 0x00, 0x03, 0x72, 0xf0, 0xeb, 0xe8
    };

    @TempDir
    Path dir;

    @RegisterExtension
    final RealQemu qemu = new RealQemu();

    /** Keeps the last VM sample. */
    private static final class Last implements SampleSink {
        final List<String> problems = new ArrayList<>();
        VmSample vm;
        int samples;

        @Override
        public void vm(VmSample s) {
            vm = s;
            samples++;
        }

        @Override
        public void host(HostSample s) {
            // Not compared here.
        }

        @Override
        public void problem(String subject, String reason) {
            problems.add(subject + ": " + reason);
        }
    }

    @Test
    void qmpSourceReportsWhatProcfsReportsOnTheSameGuest() throws Exception {
        Path data = dir.resolve("data.bin");
        byte[] bytes = new byte[DATA_MIB << 20];
        new Random(3).nextBytes(bytes);
        Files.write(data, bytes);
        Path kernel = dir.resolve("dirty.bin");
        byte[] code = new byte[DIRTY_KERNEL.length];
        for (int i = 0; i < code.length; i++) {
            code[i] = (byte) DIRTY_KERNEL[i];
        }
        Files.write(kernel, code);
        Path sock = dir.resolve("qmp.sock");
        Process p = qemu.start(
                dir.resolve("qemu.log"),
                List.of(
                        "-machine",
                        "pc",
                        "-accel",
                        "tcg",
                        "-m",
                        String.valueOf(RAM_MIB),
                        // A second, idle vCPU (the kernel starts none), so both sources must really count them.
                        "-smp",
                        "2",
                        "-display",
                        "none",
                        "-nodefaults",
                        "-name",
                        "guest=parity",
                        "-kernel",
                        kernel.toString(),
                        "-device",
                        "loader,file=" + data + ",addr=0x4000000,force-raw=on",
                        "-qmp",
                        "unix:" + sock + ",server=on,wait=off"));
        Last viaProcfs = new Last();
        Last viaQmp = new Last();
        try (ProcfsSource procfs = ProcfsSource.builder()
                        .pids(List.of((int) p.pid()))
                        .hostId("h")
                        .seed(7)
                        .sampledPages(SAMPLED_PAGES)
                        .selfTest(false)
                        .hostSamples(false)
                        .build();
                QmpSource qmp = QmpSource.builder()
                        .socket(sock)
                        .hostId("h")
                        .seed(11)
                        .hostSampledPages(SAMPLED_PAGES)
                        .build()) {
            // A few ticks, as the agent's loop takes them, until each source has given three samples.
            await().atMost(Duration.ofSeconds(90))
                    .pollDelay(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        Instant at = Instant.now();
                        procfs.sample(at, viaProcfs);
                        qmp.sample(at, viaQmp);
                        return viaProcfs.samples >= 3 && viaQmp.samples >= 3;
                    });
        }
        VmSample a = viaProcfs.vm;
        VmSample b = viaQmp.vm;
        assertEquals(DirtyRateMethod.PAGE_SAMPLING, a.getDirtyRateMethod());
        assertTrue(
                b.getDirtyRateMethod() == DirtyRateMethod.COMBINED
                        || b.getDirtyRateMethod() == DirtyRateMethod.PAGE_SAMPLING,
                "host side found: " + b);
        assertEquals(RAM_MIB, a.getMemorySizeMb());
        assertEquals(RAM_MIB, b.getMemorySizeMb());
        assertEquals(2, a.getVcpus(), "procfs: -smp");
        assertEquals(2, b.getVcpus(), "qmp: query-cpus-fast");
        System.out.printf(
                "parity: vmSizeMb procfs %.1f qmp %.1f; WSS pages procfs %d qmp %d; NWSE procfs %.3f qmp %.3f;"
                        + " PDR procfs %.0f qmp %.0f (%s)%n",
                a.getVmSizeMb(),
                b.getVmSizeMb(),
                a.getWorkingSetPages(),
                b.getWorkingSetPages(),
                a.getUnchangedPageEntropy(),
                b.getUnchangedPageEntropy(),
                a.getDirtiedPagesPerSec(),
                b.getDirtiedPagesPerSec(),
                b.getDirtyRateMethod());
        // Working set plus data plus firmware, not the configured RAM. More than the data: QEMU keeps a copy
        // of the loader's file in an anonymous mapping next to guest RAM, which the RAM locator merges in.
        assertTrue(
                a.getVmSizeMb() >= 0.8 * (DATA_MIB + WORKING_SET_PAGES / 256) && a.getVmSizeMb() < RAM_MIB / 2.0,
                "procfs vmSizeMb " + a);
        assertWithin20Percent("procfs workingSetPages vs the guest's", WORKING_SET_PAGES, a.getWorkingSetPages());
        assertWithin20Percent("vmSizeMb", a.getVmSizeMb(), b.getVmSizeMb());
        assertWithin20Percent("workingSetPages", a.getWorkingSetPages(), b.getWorkingSetPages());
        assertWithin20Percent("dirtiedPagesPerSec", a.getDirtiedPagesPerSec(), b.getDirtiedPagesPerSec());
        assertWithin20Percent("unchangedPageEntropy", a.getUnchangedPageEntropy(), b.getUnchangedPageEntropy());
    }

    private static void assertWithin20Percent(String what, double expected, double actual) {
        assertTrue(
                Math.abs(actual - expected) <= 0.2 * Math.abs(expected),
                what + ": " + actual + " not within 20 % of " + expected);
    }
}
