package io.lmadvisor.agent.qmp;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.procfs.ProcfsSource;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.qmp.RealQemu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The qmp source and the procfs source on the same real guest (QEMU 9+, TCG, 256 MiB, no disk) must
 * agree: with 48 MiB of random data loaded into guest RAM (the firmware idles) both report about the
 * same VM size, well below the configured 256 MiB. The two sources sample different pages (different seeds), so the
 * agreement is that of two independent estimates. Skipped without QEMU 9+.
 */
class QmpProcfsParityQemuTest {
  private static final int RAM_MIB = 256;
  private static final int DATA_MIB = 48;

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
    Path sock = dir.resolve("qmp.sock");
    Process p = qemu.start(dir.resolve("qemu.log"), List.of("-machine", "pc", "-accel", "tcg", "-m",
        String.valueOf(RAM_MIB), "-display", "none", "-nodefaults", "-name", "guest=parity",
        "-device", "loader,file=" + data + ",addr=0x1000000,force-raw=on",
        "-qmp", "unix:" + sock + ",server=on,wait=off"));
    Last viaProcfs = new Last();
    Last viaQmp = new Last();
    try (ProcfsSource procfs = ProcfsSource.builder().pids(List.of((int) p.pid())).hostId("h").seed(7)
            .selfTest(false).hostSamples(false).build();
        QmpSource qmp = QmpSource.builder().socket(sock).hostId("h").seed(11).build()) {
      // A few ticks, as the agent's loop takes them, until each source has given three samples.
      await().atMost(Duration.ofSeconds(90)).pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1))
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
    assertTrue(b.getDirtyRateMethod() == DirtyRateMethod.COMBINED
        || b.getDirtyRateMethod() == DirtyRateMethod.PAGE_SAMPLING, "host side found: " + b);
    assertEquals(RAM_MIB, a.getMemorySizeMb());
    assertEquals(RAM_MIB, b.getMemorySizeMb());
    System.out.printf("parity: vmSizeMb procfs %.1f qmp %.1f; WSS pages procfs %d qmp %d; NWSE procfs %.3f qmp %.3f;"
        + " PDR procfs %.0f qmp %.0f (%s)%n", a.getVmSizeMb(), b.getVmSizeMb(), a.getWorkingSetPages(),
        b.getWorkingSetPages(), a.getUnchangedPageEntropy(), b.getUnchangedPageEntropy(), a.getDirtiedPagesPerSec(),
        b.getDirtiedPagesPerSec(), b.getDirtyRateMethod());
    // Not the configured RAM. It is more than the data: QEMU keeps a copy of the loader's file in an
    // anonymous mapping next to guest RAM, and the RAM locator merges adjacent anonymous pieces.
    assertTrue(a.getVmSizeMb() >= 0.8 * DATA_MIB && a.getVmSizeMb() < RAM_MIB / 2.0, "procfs vmSizeMb " + a);
    assertWithin20Percent("vmSizeMb", a.getVmSizeMb(), b.getVmSizeMb());
    assertWithin20Percent("unchangedPageEntropy", a.getUnchangedPageEntropy(), b.getUnchangedPageEntropy());
    // The firmware idles: a working set, if any, is a few pages. Equal within 20 %, or both below 1 % of RAM.
    long onePercent = (RAM_MIB << 20) / 4096 / 100;
    assertTrue(Math.abs(a.getWorkingSetPages() - b.getWorkingSetPages())
            <= Math.max(onePercent, 0.2 * a.getWorkingSetPages()),
        "working set: procfs " + a.getWorkingSetPages() + " vs qmp " + b.getWorkingSetPages());
  }

  private static void assertWithin20Percent(String what, double expected, double actual) {
    assertTrue(Math.abs(actual - expected) <= 0.2 * Math.abs(expected),
        what + ": " + actual + " not within 20 % of " + expected);
  }
}
