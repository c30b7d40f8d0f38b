package io.lmadvisor.agent.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.qmp.RealQemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The qmp source against a real QEMU (TCG, no disk: the firmware idles). Skipped without QEMU 9+. */
class QmpSourceQemuTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @RegisterExtension
    final RealQemu qemu = new RealQemu();

    private Process startQemu(Path sock) throws IOException {
        return qemu.start(
                dir.resolve("qemu.log"),
                List.of(
                        "-machine",
                        "pc",
                        "-accel",
                        "tcg",
                        "-m",
                        "256",
                        "-display",
                        "none",
                        "-nodefaults",
                        "-qmp",
                        "unix:" + sock + ",server=on,wait=off",
                        "-name",
                        "guest=qmp-test"));
    }

    /** Samples once a second, as the agent does, until a tick satisfies {@code done}. */
    private static RecordingSink sampleUntil(QmpSource source, Predicate<RecordingSink> done)
            throws InterruptedException {
        AtomicReference<RecordingSink> last = new AtomicReference<>();
        try {
            Awaitility.await()
                    .atMost(WAIT)
                    .pollDelay(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofSeconds(1))
                    .pollInSameThread()
                    .until(() -> {
                        RecordingSink t = new RecordingSink();
                        source.sample(Instant.now(), t);
                        last.set(t);
                        return done.test(t);
                    });
            return last.get();
        } catch (ConditionTimeoutException e) {
            RecordingSink t = last.get();
            return fail("no such tick within " + WAIT + "; last: vms=" + (t == null ? null : t.vms) + " problems="
                    + (t == null ? null : t.problems));
        }
    }

    @Test
    void measuresARealTcgGuestAndFollowsItsRestart() throws Exception {
        Path sock = dir.resolve("qmp.sock");
        Process qemu = startQemu(sock);
        try (QmpSource source = QmpSource.builder()
                .socket(sock)
                .hostId("test-host")
                .maxReconnectDelay(Duration.ofSeconds(1))
                .build()) {
            VmSample v = sampleUntil(source, t -> !t.vms.isEmpty()).vms.get(0);
            assertEquals("qmp-test", v.getVmId(), "named by -name guest=");
            assertEquals("test-host", v.getHostId());
            assertEquals(256, v.getMemorySizeMb());
            // QEMU is local and readable: non-zero pages from page sampling (the idle firmware touches little).
            assertTrue(v.getVmSizeMb() < 64, v.toString());
            assertEquals(DirtyRateMethod.COMBINED, v.getDirtyRateMethod(), v.toString());
            assertTrue(v.getDirtiedPagesPerSec() >= 0 && Double.isFinite(v.getDirtiedPagesPerSec()), v.toString());
            // One TCG vCPU thread, idle firmware: between 0 and one core.
            assertTrue(v.getCpuUtilPercent() >= 0 && v.getCpuUtilPercent() <= 100, v.toString());
            assertNull(v.getInstructionsPerSec());
            assertEquals("qmp", v.getSource());

            // SIGKILL, as a crash: SIGTERM shutdown took over 10 s on a loaded CI machine.
            qemu.destroyForcibly();
            assertTrue(qemu.waitFor(30, TimeUnit.SECONDS), "QEMU still runs 30 s after SIGKILL");
            RecordingSink gone = sampleUntil(source, t -> !t.problems.isEmpty());
            assertEquals(List.of(), gone.vms);
            assertTrue(gone.problems.get(0).startsWith("qmp-test: "), gone.problems.toString());

            Files.deleteIfExists(sock);
            startQemu(sock);
            VmSample again = sampleUntil(source, t -> !t.vms.isEmpty()).vms.get(0);
            assertEquals(256, again.getMemorySizeMb());
            assertEquals(
                    DirtyRateMethod.COMBINED, again.getDirtyRateMethod(), "the restarted process is sampled: " + again);
        }
    }
}
