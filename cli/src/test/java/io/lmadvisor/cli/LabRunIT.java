package io.lmadvisor.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.lab.LabAssets;
import io.lmadvisor.lab.LabGuest;
import io.lmadvisor.lab.LabMatrix;
import io.lmadvisor.lab.Qemu;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.features.RawFeature;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop on real QEMU: a real guest, profiled by the production agent (procfs), the
 * advisor's topology on a real broker recommends, the QMP executor migrates fresh boots with
 * pre-copy and post-copy, the destination's workload verifies its memory, and the outcomes reach
 * the online evaluation. Skipped with the reason where QEMU >= 9 or the lab's assets cannot be had
 * (CI sets LM_LAB_SETUP=1 to build them).
 */
class LabRunIT {
    private static final String MATRIX = """
            workloads:
              - name: it-small
                ramMiB: 512
                bufMiB: 64
                wssMiB: 16
                dirtyPagesPerSec: 2000
                bandwidthMiBps: 256
            """;

    @TempDir
    Path out;

    private LabAssets assets;

    @BeforeEach
    void needsQemuAndAssets() {
        assets = LabAssets.defaultDir(System.getenv());
        Optional<String> why = LabAssets.unusableForTests(assets, System.getenv());
        assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    }

    @Test
    void realMigrationsReachTheOnlineEvaluationAndTheDataset() throws Exception {
        LabGuest.Accel accel =
                LabGuest.probeAccel(assets, out.resolve("probe"), Qemu.BINARY).accel();
        // No wait for a quiet host: CI machines are busy, and this checks behaviour, not timing.
        LabRun.Options o = new LabRun.Options(
                assets,
                Qemu.BINARY,
                LabMatrix.parse("it.yaml", MATRIX),
                List.of("it-small"),
                List.of(Algorithm.PRECOPY, Algorithm.POSTCOPY),
                null,
                out.resolve("it.csv"),
                accel,
                1e9,
                Duration.ZERO,
                Duration.ofSeconds(150),
                Duration.ofSeconds(20),
                Duration.ofSeconds(5));
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LabRun run = new LabRun(o, lines::add)) {
            assertEquals(2, run.run(), String.join("\n", lines));
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith("lab run: model gbt-calibrated-")),
                    "the lab serves the lab model: " + lines);

            assertEquals(2, run.results.size(), String.join("\n", lines));
            for (LabRun.RunResult r : run.results) {
                assertEquals(MigrationStatus.COMPLETED, r.outcome().getStatus(), String.join("\n", lines));
                assertEquals(Boolean.TRUE, r.integrityOk(), "destination memory verified: " + lines);
                assertTrue(r.outcome().getTotalTimeMs() > 0 && r.outcome().getTransferredBytes() > 0, lines.toString());
                assertNotNull(r.advisorChoice(), "the advisor recommended an algorithm: " + lines);
            }
            assertEquals(
                    Set.of(Algorithm.PRECOPY, Algorithm.POSTCOPY),
                    run.results.stream().map(LabRun.RunResult::algorithm).collect(Collectors.toSet()));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("[1/2] it-small ")), lines.toString());

            // The online evaluation matched both outcomes to the recommendation and published their cells.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> cells(run.evaluations).containsAll(Set.of("PRECOPY.TT", "POSTCOPY.TT")));
            assertEquals(2, run.metrics().outcomes.sum());
            assertEquals(0, run.metrics().outcomesUnmatched.sum(), "both outcomes found their profile");
        }

        // The dataset: two csap512 rows the project's reader accepts, and their side records.
        Dataset d = DatasetFormat.CSAP512.read(out.resolve("it.csv"), ReadOptions.defaults());
        assertEquals(List.of(), d.badRows());
        assertEquals(2, d.records().size());
        d.records().forEach(r -> assertTrue(r.target(Target.TT) > 0 && r.target(Target.TD) > 0, r.toString()));
        // The guests run -smp 1: the agent's count travels through the profile into the training row.
        d.records().forEach(r -> assertEquals(1.0, r.raw(RawFeature.VCPUS), r.toString()));
        LabRunStore store = LabRunStore.open(out.resolve("it.csv"));
        assertEquals(2, store.metas().size());
        assertTrue(store.metas().stream().allMatch(LabRunStore.Meta::usable));
        assertTrue(store.metas().stream().allMatch(m -> m.qemuVersion().matches("\\d+\\.\\d+\\.\\d+")));

        // Resumable: a second session finds nothing left to do.
        try (LabRun again = new LabRun(o, lines::add)) {
            assertTrue(again.plan().isEmpty());
        }
        assertFalse(LabGuest.reapStaleIn(store.layout().work()) > 0, "no QEMU left behind");
    }

    private static Set<String> cells(List<PredictionEvaluation> evaluations) {
        List<String> out = new ArrayList<>();
        evaluations.forEach(e -> out.add(e.getAlgorithm().name() + "." + e.getMetric()));
        return Set.copyOf(out);
    }
}
