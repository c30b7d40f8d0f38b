package io.lmadvisor.model.score;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.CellIndex;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.Arrays;

/**
 * Predicts every algorithm × target for one VM profile, destination and bandwidth. The hot path
 * does not allocate: features are extracted into per-thread scratch and each cell's model evaluates
 * primitive arrays. Thread-safe.
 */
public final class Scorer {
    /** Length of the output vector: one slot per (algorithm, target). */
    public static final int OUTPUTS = CellIndex.COUNT;

    private final MigrationModel model;
    private final FeatureSchema schema;
    private final int[] cells;
    private final Algorithm[] algorithms;
    private final Target[] targets;
    private final ThreadLocal<Scratch> scratch;

    private static final class Scratch {
        final double[] features;
        final double[] raw = new double[RawFeature.COUNT];
        final FeatureSchema.Scratch extract;

        Scratch(FeatureSchema schema) {
            features = new double[schema.size()];
            extract = schema.newScratch();
        }
    }

    public Scorer(MigrationModel model) {
        this.model = model;
        this.schema = model.schema();
        int n = 0;
        int[] tmp = new int[CellIndex.COUNT];
        for (int c = 0; c < CellIndex.COUNT; c++) {
            if (model.supports(CellIndex.algorithm(c), CellIndex.target(c))) {
                tmp[n++] = c;
            }
        }
        this.cells = Arrays.copyOf(tmp, n);
        this.algorithms = new Algorithm[n];
        this.targets = new Target[n];
        for (int i = 0; i < n; i++) {
            algorithms[i] = CellIndex.algorithm(cells[i]);
            targets[i] = CellIndex.target(cells[i]);
        }
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(schema));
    }

    public static Scorer of(ModelArtifact artifact) {
        return new Scorer(artifact.model());
    }

    /** Slot of a prediction in the output vector: {@code algorithm.ordinal() * 6 + target.ordinal()}. */
    public static int index(Algorithm algorithm, Target target) {
        return CellIndex.of(algorithm, target);
    }

    public boolean supports(Algorithm algorithm, Target target) {
        return model.supports(algorithm, target);
    }

    /** Number of cells this scorer fills. */
    public int supportedCells() {
        return cells.length;
    }

    public MigrationModel model() {
        return model;
    }

    /**
     * Fills {@code out[0..30)} (see {@link #index}); unsupported cells get NaN.
     *
     * @param raw raw feature vector ({@link RawFeature} order): the VM profile, PTR = the bandwidth in
     *            MB/s, DST_* = the destination host
     */
    public void scoreAll(double[] raw, double[] out) {
        Scratch s = scratch.get();
        schema.extract(raw, s.features, s.extract);
        fill(s.features, out);
    }

    /** As {@link #scoreAll(double[], double[])} with PTR replaced by {@code bandwidthMBps}; {@code raw} is not modified. */
    public void scoreAll(double[] raw, double bandwidthMBps, double[] out) {
        Scratch s = scratch.get();
        System.arraycopy(raw, 0, s.raw, 0, RawFeature.COUNT);
        s.raw[RawFeature.PTR.ordinal()] = bandwidthMBps;
        schema.extract(s.raw, s.features, s.extract);
        fill(s.features, out);
    }

    private void fill(double[] features, double[] out) {
        Arrays.fill(out, 0, OUTPUTS, Double.NaN);
        for (int i = 0; i < cells.length; i++) {
            out[cells[i]] = model.predict(algorithms[i], targets[i], features);
        }
    }
}
