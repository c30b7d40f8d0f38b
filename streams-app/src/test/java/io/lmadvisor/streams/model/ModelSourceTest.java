package io.lmadvisor.streams.model;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSourceTest {
    @TempDir
    Path dir;

    private static ModelArtifact analyticFor(Algorithm... algorithms) {
        List<MigrationRecord> rows = new java.util.ArrayList<>();
        for (Algorithm a : algorithms) {
            rows.add(new MigrationRecord("r" + a, 0, a, null, RawFeature.emptyVector(), MigrationRecord.emptyTargets()));
        }
        MigrationModel m = new AnalyticLearner().train(rows, FeatureSchema.subset(), 1, Learner.Progress.NONE);
        return ModelArtifact.of(m, "fp-" + algorithms.length, Map.of(), Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void aChangedModelFileIsPickedUpWithoutARestart() throws Exception {
        Path file = dir.resolve("model.lmm");
        analyticFor(Algorithm.PRECOPY).save(file);
        try (ModelSource source = ModelSource.watching(file, 3, Duration.ZERO)) {
            String first = source.get().modelVersion();
            assertFalse(source.reloadIfChanged(), "unchanged file, same model");

            analyticFor(Algorithm.PRECOPY, Algorithm.POSTCOPY).save(file);
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            assertTrue(source.reloadIfChanged());
            assertNotEquals(first, source.get().modelVersion());
        }
    }

    @Test
    void aBrokenFileKeepsTheRunningModel() throws Exception {
        Path file = dir.resolve("model.lmm");
        analyticFor(Algorithm.XBZRLE).save(file);
        try (ModelSource source = ModelSource.watching(file, 3, Duration.ZERO)) {
            String version = source.get().modelVersion();
            Files.writeString(file, "not a model");
            assertThrows(Exception.class, source::reloadIfChanged);
            assertEquals(version, source.get().modelVersion());
        }
    }
}
