package io.lmadvisor.model.score;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.CellIndex;
import io.lmadvisor.model.learn.FeatureBatch;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.Arrays;

/**
 * Predicts every algorithm × target for one VM profile, destination and bandwidth, or for one profile at
 * several destinations and bandwidths in one batch. The hot path does not allocate: features are extracted
 * into per-thread scratch and each cell's model evaluates primitive arrays. Thread-safe.
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
        final int schemaSize;
        final double[] raw = new double[RawFeature.COUNT];
        final FeatureSchema.Scratch extract;
        final FeatureBatch batch;
        /** Wraps a single call's output so that it takes the batch path. */
        final double[][] oneOut = new double[1][];

        double[][] features = new double[0][];
        /** A batch's distinct feature vectors, and which of them each input is. */
        double[][] distinct = new double[0][];

        int[] distinctOf = new int[0];
        double[] cellOut = new double[0];

        Scratch(FeatureSchema schema) {
            schemaSize = schema.size();
            extract = schema.newScratch();
            batch = new FeatureBatch(schemaSize);
            grow(1);
        }

        void grow(int count) {
            if (features.length < count) {
                int n = Math.max(count, 2 * features.length);
                features = new double[n][];
                for (int k = 0; k < n; k++) {
                    features[k] = new double[schemaSize];
                }
                distinct = new double[n][];
                distinctOf = new int[n];
                cellOut = new double[n];
            }
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
        schema.extract(raw, s.features[0], s.extract);
        s.oneOut[0] = out;
        fill(s, 1, s.oneOut);
    }

    /** As {@link #scoreAll(double[], double[])} with PTR replaced by {@code bandwidthMBps}; {@code raw} is not modified. */
    public void scoreAll(double[] raw, double bandwidthMBps, double[] out) {
        Scratch s = scratch.get();
        System.arraycopy(raw, 0, s.raw, 0, RawFeature.COUNT);
        s.raw[RawFeature.PTR.ordinal()] = bandwidthMBps;
        schema.extract(s.raw, s.features[0], s.extract);
        s.oneOut[0] = out;
        fill(s, 1, s.oneOut);
    }

    /**
     * One VM profile at several destinations or bandwidths: fills {@code out[k]} exactly as
     * {@code scoreAll(raws[k], out[k])} would, bit for bit, but evaluates identical feature vectors once and
     * walks each tree once for the features the vectors share (only the trees whose path reads a destination's
     * figure are walked per destination). Does not allocate once its per-thread buffers fit {@code count}.
     */
    public void scoreAll(double[][] raws, int count, double[][] out) {
        Scratch s = scratch.get();
        s.grow(count);
        for (int k = 0; k < count; k++) {
            schema.extract(raws[k], s.features[k], s.extract);
        }
        fill(s, count, out);
    }

    private void fill(Scratch s, int count, double[][] out) {
        int distinct = 0;
        for (int k = 0; k < count; k++) {
            int d = 0;
            while (d < distinct && !Arrays.equals(s.distinct[d], s.features[k])) {
                d++;
            }
            if (d == distinct) {
                s.distinct[distinct++] = s.features[k];
            }
            s.distinctOf[k] = d;
            Arrays.fill(out[k], 0, OUTPUTS, Double.NaN);
        }
        s.batch.set(s.distinct, distinct);
        double[] cellOut = s.cellOut;
        for (int i = 0; i < cells.length; i++) {
            model.predictAll(algorithms[i], targets[i], s.batch, cellOut);
            for (int k = 0; k < count; k++) {
                out[k][cells[i]] = cellOut[s.distinctOf[k]];
            }
        }
    }
}
