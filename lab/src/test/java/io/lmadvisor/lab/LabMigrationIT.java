package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lmadvisor.qmp.QmpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU guests: boots a pair, migrates the smoke workload over loopback (pre-copy, plain QMP)
 * and checks the destination's memory with the workload's own verification. Skipped with the
 * reason where QEMU >= 9 or the lab's assets ({@code lm-advisor lab setup}, $LM_LAB_DIR) are absent;
 * with LM_LAB_SETUP=1 it first builds missing assets itself.
 */
class LabMigrationIT {
    private static final Duration QMP = Duration.ofSeconds(30);

    @TempDir
    Path runDir;

    private LabAssets assets;
    private final List<Long> pids = new ArrayList<>();

    // In @BeforeEach, so Failsafe lists each test as skipped with this reason.
    @BeforeEach
    void needsQemuAndAssets() {
        assets = LabAssets.defaultDir(System.getenv());
        Optional<String> why = LabAssets.unusableForTests(assets, System.getenv());
        assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    }

    @Test
    void preCopyMigrationKeepsTheGuestsMemoryIntact() throws Exception {
        LabGuest.AccelChoice accel = LabGuest.probeAccel(assets, runDir, Qemu.BINARY);
        Workload w = Workload.smoke();
        List<String> progress = new ArrayList<>();
        SmokeMigration.Result r = new SmokeMigration(assets, runDir, accel.accel(), Qemu.BINARY, progress::add)
                .run(w, Duration.ofSeconds(60));

        assertEquals("completed", r.status(), r.summary());
        assertTrue(r.integrityOk(), r.summary());
        assertEquals(w.bufMiB() * 256L, r.destination().pages(), "every page of the buffer was checked");
        assertEquals(0, r.destination().bad());
        assertTrue(r.pagesPerSecBefore() > 0, "the workload ran before the migration: " + r.summary());
        assertTrue(r.transferredBytes() > 0 && r.totalTimeMs() > 0 && r.downtimeMs() >= 0, r.summary());
        assertTrue(r.qemuVersion().matches("\\d+\\.\\d+\\.\\d+"), r.qemuVersion());
        assertTrue(progress.stream().anyMatch(l -> l.contains("migrating to tcp:127.0.0.1:")), progress.toString());
    }

    @Test
    void agentAndExecutorMonitorsAnswerAtOnceAndADestinationWaits() throws Exception {
        Workload w = new Workload("tiny", 256, 8, 8, 100, 4096, "random", 0, 32, 300, 1);
        try (LabGuest src = LabGuest.builder("src", assets, runDir, w).build().start();
                LabGuest dst = LabGuest.builder("dst", assets, runDir, w)
                        .role(LabGuest.Role.DESTINATION)
                        .build()
                        .start();
                QmpClient agent = QmpClient.connect(src.agentQmpSocket(), QMP);
                QmpClient exec = QmpClient.connect(src.executorQmpSocket(), QMP);
                QmpClient dstExec = QmpClient.connect(dst.executorQmpSocket(), QMP)) {
            pids.add(src.pid());
            pids.add(dst.pid());
            src.awaitReady(Duration.ofMinutes(1));
            assertEquals(
                    "running",
                    agent.execute("query-status", null).path("status").asText());
            assertEquals(
                    "running", exec.execute("query-status", null).path("status").asText());
            JsonNode d = dstExec.execute("query-status", null);
            assertEquals("inmigrate", d.path("status").asText(), "-incoming defer: waits for migrate-incoming");
            assertTrue(src.awaitRates(2, Duration.ofMinutes(1)).get(1).ok());
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU " + pid + " stopped");
        }
    }
}
