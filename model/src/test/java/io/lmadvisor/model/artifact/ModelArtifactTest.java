package io.lmadvisor.model.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.GbtParams;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBaggingLearner;
import io.lmadvisor.model.learn.SvrParams;
import io.lmadvisor.model.learn.SyntheticMigrations;
import io.lmadvisor.model.score.ModelExplainer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {
    private static final List<MigrationRecord> TRAIN =
            SyntheticMigrations.records(150, 1, Algorithm.PRECOPY, Algorithm.COMPRESS);
    private static final List<MigrationRecord> TEST =
            SyntheticMigrations.records(40, 2, Algorithm.PRECOPY, Algorithm.COMPRESS);
    private static final Instant CREATED = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    private ModelArtifact roundTrip(Learner learner) throws IOException {
        MigrationModel model = learner.train(TRAIN, FeatureSchema.subset(), 3, Learner.Progress.NONE);
        ModelArtifact a =
                ModelArtifact.of(model, DatasetFingerprint.of(TRAIN), Map.of("holdout.gMRE.PRE.TT", 0.05), CREATED);
        Path file = dir.resolve(learner.name() + ".lmmodel");
        a.save(file);
        ModelArtifact b = ModelArtifact.load(file);
        assertEquals(a.versionId(), b.versionId());
        assertTrue(b.versionId().startsWith(learner.name() + "-"));
        assertEquals(a.learnerName(), b.learnerName());
        assertEquals(a.schema(), b.schema());
        assertEquals(a.trainingFingerprint(), b.trainingFingerprint());
        assertEquals(a.hyperParameters(), b.hyperParameters());
        assertEquals(a.validation(), b.validation());
        assertEquals(CREATED, b.createdAt());
        assertEquals(a.cells(), b.cells());
        int compared = 0;
        for (MigrationRecord r : TEST) {
            double[] xa = a.schema().extract(r.raw());
            double[] xb = b.schema().extract(r.raw());
            for (Algorithm alg : Algorithm.values()) {
                for (Target t : Target.values()) {
                    assertEquals(a.model().supports(alg, t), b.model().supports(alg, t));
                    double pa = a.model().predict(alg, t, xa);
                    assertEquals(pa, b.model().predict(alg, t, xb), 0.0, alg + "/" + t);
                    compared += Double.isNaN(pa) ? 0 : 1;
                }
            }
        }
        assertEquals(TEST.size() * 6, compared); // 2 algorithms x TT, DT, TD
        return b;
    }

    @Test
    void gbtRoundTripGivesIdenticalPredictions() throws IOException {
        ModelArtifact b = roundTrip(new GradientBoostedLearner(
                new GbtParams(20, 4, 0.3, 0.8, 1, 1, 1, 0, true, 1, 0.01, EnumSet.of(Target.DT)), 1));
        assertEquals(6, b.cells().size());
        assertTrue(
                b.cells().get(0).provenance().contains("XGBoost"),
                b.cells().get(0).provenance());
        String text = ModelExplainer.explain(b);
        assertTrue(text.contains("PRE TT"), text);
        assertTrue(text.contains("share of split gain"), text);
        assertTrue(text.contains(b.trainingFingerprint()), text);
    }

    @Test
    void svrBaggingRoundTripGivesIdenticalPredictions() throws IOException {
        ModelArtifact b = roundTrip(new SvrBaggingLearner(SvrParams.defaults().withEstimators(2), 1));
        assertEquals(2, b.cells().get(0).tribuoModels());
        assertTrue(ModelExplainer.explain(b, false).contains("RBF SVRs"));
    }

    @Test
    void analyticRoundTripGivesIdenticalPredictions() throws IOException {
        roundTrip(new AnalyticLearner());
    }

    @Test
    void loadsFromAStreamAndResavesTheSameContent() throws IOException {
        MigrationModel model = new AnalyticLearner().train(TRAIN, FeatureSchema.subset(), 0, Learner.Progress.NONE);
        ModelArtifact a = ModelArtifact.of(model, "f00d", Map.of(), CREATED);
        byte[] bytes = a.toBytes();
        ModelArtifact b = ModelArtifact.load(new ByteArrayInputStream(bytes));
        assertEquals(a.versionId(), b.versionId());
        assertEquals(
                a.versionId(),
                ModelArtifact.load(new ByteArrayInputStream(b.toBytes())).versionId());
        List<String> names = new java.util.ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of("manifest.json"), names);
    }

    @Test
    void tamperedContentIsRejected() throws IOException {
        MigrationModel model = new AnalyticLearner().train(TRAIN, FeatureSchema.subset(), 0, Learner.Progress.NONE);
        Path file = dir.resolve("m.lmmodel");
        ModelArtifact.of(model, "f00d", Map.of(), CREATED).save(file);
        // Rewrite the manifest with another fingerprint but the old version id.
        Path bad = dir.resolve("bad.lmmodel");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file));
                java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] b = in.readAllBytes();
                if (e.getName().equals("manifest.json")) {
                    b = new String(b, java.nio.charset.StandardCharsets.UTF_8)
                            .replace("f00d", "beef")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b);
                out.closeEntry();
            }
        }
        assertThrows(IOException.class, () -> ModelArtifact.load(bad));
    }
}
