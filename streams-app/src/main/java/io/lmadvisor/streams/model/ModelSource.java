package io.lmadvisor.streams.model;

import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current recommendation engine. With a model file it watches the file and swaps in a new model
 * when the file changes, without a restart; a file that fails to load leaves the running model in
 * place. Only trusted model files may be loaded (they are deserialized).
 */
public final class ModelSource implements Supplier<RecommendationEngine>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSource.class);

    /** Serving refuses a model any cell of which was trained on fewer than 100 rows. */
    public static final ModelArtifact.LoadLimits DEFAULT_LIMITS =
            ModelArtifact.LoadLimits.DEFAULTS.withMinTrainingRows(100);

    private final Path file;
    private final int topK;
    private final ModelArtifact.LoadLimits limits;
    /** Called before each load; tests use it to throw what a real load might (an Error included). */
    volatile Runnable beforeLoad = () -> {};

    private volatile RecommendationEngine engine;
    /** The artifact behind {@link #engine}: continuous calibration compares challengers with it. */
    private volatile ModelArtifact artifact;

    private FileTime loadedModified;
    private long loadedSize = -1;
    /** The file version that last failed, so that the watcher reports it once, not every poll. */
    private FileTime failedModified;

    private long failedSize = -1;
    private ScheduledExecutorService watcher;

    private ModelSource(Path file, int topK, ModelArtifact.LoadLimits limits, ModelArtifact initial) {
        this.file = file;
        this.topK = topK;
        this.limits = limits;
        if (initial != null) {
            install(initial);
        }
    }

    /** Loads {@code file} now (failing loudly if it cannot) and keeps watching it. */
    public static ModelSource watching(Path file, int topK, Duration pollEvery) throws IOException {
        return watching(file, topK, pollEvery, DEFAULT_LIMITS);
    }

    /** Loads {@code file} now within {@code limits} (failing loudly if it cannot) and keeps watching it. */
    public static ModelSource watching(Path file, int topK, Duration pollEvery, ModelArtifact.LoadLimits limits)
            throws IOException {
        ModelSource source = new ModelSource(file, topK, limits, null);
        if (!source.reloadIfChanged()) {
            throw new IOException("cannot load model " + file);
        }
        if (!pollEvery.isZero()) {
            source.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "model-watcher");
                t.setDaemon(true);
                return t;
            });
            source.watcher.scheduleWithFixedDelay(
                    source::reloadQuietly, pollEvery.toMillis(), pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        return source;
    }

    /** Classpath location of the default model that ships in the jar (see docs/MODEL.md for how it is made). */
    public static final String BUNDLED_RESOURCE = "models/lm-advisor-default.lmm";

    /** The default model bundled in the jar. */
    public static ModelSource bundled(int topK) throws IOException {
        return fixed(ModelArtifact.loadResource(BUNDLED_RESOURCE), topK);
    }

    /** The model file when one is given, else the bundled default. */
    public static ModelSource fileOrBundled(Path file, int topK, Duration pollEvery) throws IOException {
        return fileOrBundled(file, topK, pollEvery, DEFAULT_LIMITS);
    }

    /** The model file (loaded within {@code limits}) when one is given, else the bundled default. */
    public static ModelSource fileOrBundled(Path file, int topK, Duration pollEvery, ModelArtifact.LoadLimits limits)
            throws IOException {
        return file != null ? watching(file, topK, pollEvery, limits) : bundled(topK);
    }

    /** A fixed artifact, e.g. one bundled in the jar. */
    public static ModelSource fixed(ModelArtifact artifact, int topK) {
        return new ModelSource(null, topK, DEFAULT_LIMITS, artifact);
    }

    @Override
    public RecommendationEngine get() {
        return engine;
    }

    /** The artifact serving now. */
    public ModelArtifact artifact() {
        return artifact;
    }

    /**
     * Serves {@code next} from the next recommendation on (continuous calibration's promotion). A watched
     * file that changes later replaces it again: the operator's file wins.
     */
    public synchronized void promote(ModelArtifact next) {
        String previous = engine.modelVersion();
        install(next);
        LOG.info("model promoted: {} -> {}", previous, next.versionId());
    }

    private void install(ModelArtifact a) {
        engine = new RecommendationEngine(Scorer.of(a), a.versionId(), topK, a.validation());
        artifact = a;
    }

    /** Checks the file once; true when a new model was loaded. */
    public synchronized boolean reloadIfChanged() throws IOException {
        if (file == null) {
            return false;
        }
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        if (modified.equals(loadedModified) && size == loadedSize) {
            return false;
        }
        beforeLoad.run();
        ModelArtifact artifact;
        try {
            artifact = ModelArtifact.load(file, limits);
        } catch (ModelArtifact.LimitExceededException e) {
            throw new ModelArtifact.LimitExceededException(
                    e.limit(), e.getMessage() + " (setting " + AdvisorConfig.modelLimitSetting(e.limit()) + ")");
        }
        String previous = engine == null ? null : engine.modelVersion();
        install(artifact);
        loadedModified = modified;
        loadedSize = size;
        if (previous != null) {
            LOG.info("model reloaded from {}: {} -> {}", file, previous, artifact.versionId());
        } else {
            LOG.info("model {} loaded from {} ({})", artifact.versionId(), file, artifact.learnerName());
        }
        return true;
    }

    /** The watcher's task: nothing may escape it, or the executor would silently stop scheduling it. */
    synchronized void reloadQuietly() {
        FileTime modified = null;
        long size = -1;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
            if (modified.equals(failedModified) && size == failedSize) {
                return;
            }
            reloadIfChanged();
        } catch (IOException e) {
            LOG.error("keeping model {}: {}", engine.modelVersion(), e.getMessage());
        } catch (Throwable e) {
            LOG.error("keeping model {}: loading {} failed: {}", engine.modelVersion(), file, e.toString());
        } finally {
            boolean failed = modified != null && !(modified.equals(loadedModified) && size == loadedSize);
            failedModified = failed ? modified : null;
            failedSize = failed ? size : -1;
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
