package io.lmadvisor.model.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.AnalyticModel;
import io.lmadvisor.model.learn.GbtParams;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SyntheticMigrations;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading is bounded: hostile or useless model files are refused with a message naming the file. */
class ModelArtifactLimitsTest {
    private static final Instant CREATED = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    private static ModelArtifact analytic(List<MigrationRecord> rows) {
        MigrationModel m = new AnalyticLearner().train(rows, FeatureSchema.subset(), 0, Learner.Progress.NONE);
        return ModelArtifact.of(m, "f00d", Map.of(), CREATED);
    }

    @Test
    void aZipBombIsRefusedWhileInflatingNotAfter() throws IOException {
        // 1 GiB of zeros deflates to ~1 MB; headers carry no size (data descriptors), so only counting helps.
        Path bomb = dir.resolve("bomb.lmm");
        byte[] zeros = new byte[1 << 20];
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("cells/PRECOPY/TT/model.tribuo"));
            for (int i = 0; i < 1024; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(ModelArtifact.MANIFEST));
            zip.write("{}".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertTrue(Files.size(bomb) < 8 << 20, "the bomb is small on disk: " + Files.size(bomb));
        ModelArtifact.LimitExceededException e =
                assertThrows(ModelArtifact.LimitExceededException.class, () -> ModelArtifact.load(bomb));
        assertEquals(ModelArtifact.Limit.UNCOMPRESSED_BYTES, e.limit());
        assertEquals("model file " + bomb + " inflates to more than 268435456 bytes, the limit", e.getMessage());
    }

    @Test
    void aZipWithTooManyEntriesIsRefused() throws IOException {
        Path many = dir.resolve("many.lmm");
        try (OutputStream out = Files.newOutputStream(many);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i <= 10_000; i++) {
                zip.putNextEntry(new ZipEntry("cells/e" + i));
                zip.closeEntry();
            }
        }
        ModelArtifact.LimitExceededException e =
                assertThrows(ModelArtifact.LimitExceededException.class, () -> ModelArtifact.load(many));
        assertEquals(ModelArtifact.Limit.ENTRIES, e.limit());
        assertTrue(e.getMessage().startsWith("model file " + many + " has more than 10000 entries"), e.getMessage());
        // The same file passes a looser bound, and then fails only for what it is: not a model.
        IOException other = assertThrows(
                IOException.class, () -> ModelArtifact.load(many, new ModelArtifact.LoadLimits(1 << 20, 20_000, 0)));
        assertTrue(other.getMessage().contains("no manifest.json"), other.getMessage());
    }

    @Test
    void aModelWithNoCellsIsRefused() throws IOException {
        Path empty = dir.resolve("empty.lmm");
        // An analytic model for no algorithm at all: a well-formed file that can answer nothing.
        ModelArtifact a =
                ModelArtifact.of(new AnalyticModel(125, 2, EnumSet.noneOf(Algorithm.class)), "f00d", Map.of(), CREATED);
        assertEquals(0, a.cells().size());
        a.save(empty);
        IOException e = assertThrows(IOException.class, () -> ModelArtifact.load(empty));
        assertEquals(
                "model file " + empty + " is not a usable model: has no cells: it cannot predict any"
                        + " (algorithm, target)",
                e.getMessage());
    }

    @Test
    void aModelTrainedOnTooFewRowsIsRefusedUnlessTheMinimumAllowsIt() throws IOException {
        Path small = dir.resolve("small.lmm");
        MigrationModel m = new GradientBoostedLearner(
                        new GbtParams(3, 2, 0.3, 1.0, 1, 1, 1, 0, false, 0, 0.01, EnumSet.noneOf(Target.class)), 1)
                .train(
                        SyntheticMigrations.records(30, 1, Algorithm.PRECOPY),
                        FeatureSchema.subset(),
                        1,
                        Learner.Progress.NONE);
        ModelArtifact a = ModelArtifact.of(m, "tiny", Map.of(), CREATED);
        assertEquals(30, a.trainingRows().orElseThrow());
        a.save(small);
        ModelArtifact.LimitExceededException e = assertThrows(
                ModelArtifact.LimitExceededException.class,
                () -> ModelArtifact.load(small, ModelArtifact.LoadLimits.DEFAULTS.withMinTrainingRows(100)));
        assertEquals(ModelArtifact.Limit.TRAINING_ROWS, e.limit());
        assertEquals(
                "model file " + small + " was trained on 30 rows in its smallest cell, fewer than the minimum"
                        + " of 100",
                e.getMessage());
        assertEquals(
                a.versionId(),
                ModelArtifact.load(small, ModelArtifact.LoadLimits.DEFAULTS.withMinTrainingRows(30))
                        .versionId());
        assertEquals(a.versionId(), ModelArtifact.load(small).versionId(), "inspection has no minimum");
    }

    @Test
    void anUntrainedAnalyticModelHasNoRowCountAndLoads() throws IOException {
        Path file = dir.resolve("analytic.lmm");
        analytic(SyntheticMigrations.records(1, 1, Algorithm.PRECOPY)).save(file);
        ModelArtifact b = ModelArtifact.load(file);
        assertTrue(b.trainingRows().isEmpty());
    }

    @Test
    void aDirectoryOrAMissingFileIsNamed() {
        assertEquals(
                "model file " + dir + " is a directory, not a model file",
                assertThrows(IOException.class, () -> ModelArtifact.load(dir)).getMessage());
        Path missing = dir.resolve("missing.lmm");
        assertEquals(
                "model file " + missing + " does not exist",
                assertThrows(IOException.class, () -> ModelArtifact.load(missing))
                        .getMessage());
    }
}
