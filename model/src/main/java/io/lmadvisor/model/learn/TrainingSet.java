package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The rows of one (algorithm, target) cell: extracted features and the target in model space. */
public final class TrainingSet {
    public final Algorithm algorithm;
    public final Target target;
    /** rows × schema.size(); NaN = feature absent. */
    public final double[][] x;
    /** Target in model space (see {@link TargetSpace}). */
    public final double[] y;

    private TrainingSet(Algorithm algorithm, Target target, double[][] x, double[] y) {
        this.algorithm = algorithm;
        this.target = target;
        this.x = x;
        this.y = y;
    }

    public int rows() {
        return y.length;
    }

    /** Cells with at least {@code minRows} usable rows, in enum order. */
    public static List<TrainingSet> cells(List<MigrationRecord> records, FeatureSchema schema, int minRows) {
        List<TrainingSet> out = new ArrayList<>();
        FeatureSchema.Scratch scratch = schema.newScratch();
        for (Algorithm a : Algorithm.values()) {
            List<MigrationRecord> mine = new ArrayList<>();
            for (MigrationRecord r : records) {
                if (r.algorithm() == a) {
                    mine.add(r);
                }
            }
            if (mine.isEmpty()) {
                continue;
            }
            double[][] features = new double[mine.size()][];
            for (int i = 0; i < mine.size(); i++) {
                features[i] = new double[schema.size()];
                schema.extract(mine.get(i).raw(), features[i], scratch);
            }
            for (Target t : Target.values()) {
                List<double[]> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (int i = 0; i < mine.size(); i++) {
                    double v = mine.get(i).target(t);
                    if (Double.isFinite(v) && anyFinite(features[i])) {
                        xs.add(features[i]);
                        ys.add(TargetSpace.toModel(t, v));
                    }
                }
                if (xs.size() >= minRows) {
                    double[] y = new double[ys.size()];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = ys.get(i);
                    }
                    out.add(new TrainingSet(a, t, xs.toArray(new double[0][]), y));
                }
            }
        }
        return out;
    }

    /** Algorithms present in the records, in enum order. */
    public static Set<Algorithm> algorithms(List<MigrationRecord> records) {
        Set<Algorithm> out = EnumSet.noneOf(Algorithm.class);
        for (MigrationRecord r : records) {
            out.add(r.algorithm());
        }
        return out;
    }

    private static boolean anyFinite(double[] v) {
        for (double d : v) {
            if (Double.isFinite(d)) {
                return true;
            }
        }
        return false;
    }
}
