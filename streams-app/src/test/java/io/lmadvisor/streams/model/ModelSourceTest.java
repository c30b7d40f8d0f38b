package io.lmadvisor.streams.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {
    @TempDir
    Path dir;

    private static ModelArtifact analyticFor(Algorithm... algorithms) {
        List<MigrationRecord> rows = new java.util.ArrayList<>();
        for (Algorithm a : algorithms) {
            rows.add(
                    new MigrationRecord("r" + a, 0, a, null, RawFeature.emptyVector(), MigrationRecord.emptyTargets()));
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

    private static void touch(Path file, long secondsAhead) throws java.io.IOException {
        // A distinct mtime even on coarse file systems: the watcher compares mtime and size.
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + secondsAhead * 1000));
    }

    @Test
    void theWatcherLoadsAGoodModelAfterABadOneAndAfterAnError() throws Exception {
        Path file = dir.resolve("model.lmm");
        analyticFor(Algorithm.PRECOPY).save(file);
        try (ModelSource source = ModelSource.watching(file, 3, Duration.ofMillis(50))) {
            String first = source.get().modelVersion();

            // A file that is no model: refused, the running model stays.
            Files.writeString(file, "not a model");
            touch(file, 10);
            source.reloadQuietly();
            assertEquals(first, source.get().modelVersion());

            // Any Throwable, an Error included, thrown on the watcher's own thread must not end it.
            java.util.concurrent.atomic.AtomicInteger thrown = new java.util.concurrent.atomic.AtomicInteger();
            source.beforeLoad = () -> {
                thrown.incrementAndGet();
                throw new OutOfMemoryError("test hook");
            };
            analyticFor(Algorithm.POSTCOPY).save(file);
            touch(file, 20);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> thrown.get() > 0);
            assertEquals(first, source.get().modelVersion());

            source.beforeLoad = () -> {};
            analyticFor(Algorithm.PRECOPY, Algorithm.POSTCOPY).save(file);
            touch(file, 30);
            String expected = ModelArtifact.load(file).versionId();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> source.get().modelVersion().equals(expected));
        }
    }

    @Test
    void aModelOverTheLimitsIsRefusedNamingTheFileAndTheSetting() throws Exception {
        Path file = dir.resolve("model.lmm");
        analyticFor(Algorithm.PRECOPY).save(file);
        java.io.IOException e = assertThrows(
                java.io.IOException.class,
                () -> ModelSource.watching(file, 3, Duration.ZERO, new ModelArtifact.LoadLimits(100, 10, 0)));
        assertEquals(
                "model file " + file + " inflates to more than 100 bytes, the limit"
                        + " (setting lm.model.max.uncompressed.bytes)",
                e.getMessage());
    }
}
