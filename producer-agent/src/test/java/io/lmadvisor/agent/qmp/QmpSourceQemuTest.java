package io.lmadvisor.agent.qmp;

import io.lmadvisor.avro.VmSample;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The qmp source against a real QEMU (TCG, no disk: the firmware idles). Skipped without QEMU 9+. */
class QmpSourceQemuTest {
  private static final String QEMU = "qemu-system-x86_64";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private final List<Process> started = new ArrayList<>();

  // In @BeforeEach, not @BeforeAll, so Surefire lists the test as skipped with this reason.
  @BeforeEach
  void needsQemu9() {
    String version;
    try {
      Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start();
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      version = "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      version = "";
    }
    Matcher m = Pattern.compile("version (\\d+)\\.").matcher(version);
    assumeTrue(m.find() && Integer.parseInt(m.group(1)) >= 9,
        QEMU + " >= 9 is not on PATH (apt-get install -t bookworm-backports qemu-system-x86); found: '"
            + version.strip() + "'");
  }

  @AfterEach
  void stopQemu() throws InterruptedException {
    for (Process p : started) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private Process startQemu(Path sock) throws IOException {
    Process p = new ProcessBuilder(QEMU, "-machine", "pc", "-accel", "tcg", "-m", "256", "-display", "none",
        "-nodefaults", "-qmp", "unix:" + sock + ",server=on,wait=off", "-name", "guest=qmp-test")
        .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
    started.add(p);
    return p;
  }

  /** Samples once a second, as the agent does, until a tick satisfies {@code done}. */
  private static RecordingSink sampleUntil(QmpSource source, Predicate<RecordingSink> done) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    RecordingSink t = null;
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      t = new RecordingSink();
      source.sample(Instant.now(), t);
      if (done.test(t)) {
        return t;
      }
    }
    fail("no such tick within " + WAIT + "; last: vms=" + (t == null ? null : t.vms) + " problems="
        + (t == null ? null : t.problems));
    return null;
  }

  @Test
  void measuresARealTcgGuestAndFollowsItsRestart() throws Exception {
    Path sock = dir.resolve("qmp.sock");
    Process qemu = startQemu(sock);
    try (QmpSource source = QmpSource.builder().socket(sock).hostId("test-host")
        .maxReconnectDelay(Duration.ofSeconds(1)).build()) {
      VmSample v = sampleUntil(source, t -> !t.vms.isEmpty()).vms.get(0);
      assertEquals("qmp-test", v.getVmId(), "named by -name guest=");
      assertEquals("test-host", v.getHostId());
      assertEquals(256, v.getMemorySizeMb());
      assertEquals(256.0, v.getVmSizeMb());
      assertTrue(v.getDirtiedPagesPerSec() >= 0 && Double.isFinite(v.getDirtiedPagesPerSec()), v.toString());
      // One TCG vCPU thread, idle firmware: between 0 and one core.
      assertTrue(v.getCpuUtilPercent() >= 0 && v.getCpuUtilPercent() <= 100, v.toString());
      assertNull(v.getInstructionsPerSec());
      assertEquals("qmp", v.getSource());

      qemu.destroy();
      assertTrue(qemu.waitFor(10, TimeUnit.SECONDS));
      RecordingSink gone = sampleUntil(source, t -> !t.problems.isEmpty());
      assertEquals(List.of(), gone.vms);
      assertTrue(gone.problems.get(0).startsWith("qmp-test: "), gone.problems.toString());

      Files.deleteIfExists(sock);
      startQemu(sock);
      VmSample again = sampleUntil(source, t -> !t.vms.isEmpty()).vms.get(0);
      assertEquals(256, again.getMemorySizeMb());
    }
  }
}
