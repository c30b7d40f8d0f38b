package io.lmadvisor.model.eval;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * (predicted, true) pairs per (algorithm, target), gathered from one or more models, so that
 * cross-validation scores its pooled out-of-fold predictions once.
 */
final class PredictionPool {
    private static final Algorithm[] ALGORITHMS = Algorithm.values();
    private static final Target[] TARGETS = Target.values();

    private final double[][][] predicted = new double[ALGORITHMS.length][TARGETS.length][];
    private final double[][][] actual = new double[ALGORITHMS.length][TARGETS.length][];
    private final int[][] counts = new int[ALGORITHMS.length][TARGETS.length];

    /**
     * Predicts every present target of every record the model supports.
     *
     * @return (record, target) pairs with a true value that the model does not support
     */
    long add(MigrationModel model, List<MigrationRecord> records) {
        FeatureSchema schema = model.schema();
        double[] features = new double[schema.size()];
        FeatureSchema.Scratch scratch = schema.newScratch();
        long unsupported = 0;
        for (MigrationRecord r : records) {
            boolean extracted = false;
            for (Target t : TARGETS) {
                if (!r.has(t)) {
                    continue;
                }
                if (!model.supports(r.algorithm(), t)) {
                    unsupported++;
                    continue;
                }
                if (!extracted) {
                    schema.extract(r.raw(), features, scratch);
                    extracted = true;
                }
                append(r.algorithm(), t, model.predict(r.algorithm(), t, features), r.target(t));
            }
        }
        return unsupported;
    }

    private void append(Algorithm a, Target t, double p, double y) {
        int ai = a.ordinal();
        int ti = t.ordinal();
        int n = counts[ai][ti];
        if (predicted[ai][ti] == null) {
            predicted[ai][ti] = new double[256];
            actual[ai][ti] = new double[256];
        } else if (n == predicted[ai][ti].length) {
            predicted[ai][ti] = Arrays.copyOf(predicted[ai][ti], n * 2);
            actual[ai][ti] = Arrays.copyOf(actual[ai][ti], n * 2);
        }
        predicted[ai][ti][n] = p;
        actual[ai][ti][n] = y;
        counts[ai][ti] = n + 1;
    }

    EvaluationReport report(String modelName) {
        List<CellEvaluation> cells = new ArrayList<>();
        for (Algorithm a : ALGORITHMS) {
            for (Target t : TARGETS) {
                int n = counts[a.ordinal()][t.ordinal()];
                if (n > 0) {
                    cells.add(CellEvaluation.compute(
                            a,
                            t,
                            Arrays.copyOf(predicted[a.ordinal()][t.ordinal()], n),
                            Arrays.copyOf(actual[a.ordinal()][t.ordinal()], n)));
                }
            }
        }
        return new EvaluationReport(modelName, cells);
    }
}
