package io.lmadvisor.model.learn;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.List;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.common.xgboost.XGBoostTrainer;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;

/**
 * The default learner ({@code gbt}): one XGBoost regression per (algorithm, target) present in the
 * data, fitted on the log target, then compiled to plain Java trees for scoring.
 * Deterministic for a given seed (exact tree method, seeded row sampling).
 */
public final class GradientBoostedLearner implements Learner {
    public static final String NAME = "gbt";
    /** Cells with fewer rows are not modelled: a tree ensemble on a handful of rows is noise. */
    static final int MIN_ROWS = 10;

    private final GbtParams params;
    private final int threads;

    public GradientBoostedLearner() {
        this(GbtParams.defaults());
    }

    public GradientBoostedLearner(GbtParams params) {
        this(params, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public GradientBoostedLearner(GbtParams params, int threads) {
        this.params = params;
        this.threads = threads;
    }

    public GbtParams params() {
        return params;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    @SuppressWarnings("unchecked")
    public GradientBoostedModel train(
            List<MigrationRecord> records, FeatureSchema schema, long seed, Progress progress) {
        String[] names = schema.names().toArray(new String[0]);
        @SuppressWarnings({"unchecked", "rawtypes"})
        XGBoostModel<Regressor>[] models = new XGBoostModel[CellIndex.COUNT];
        AnalyticOffset[] offsets = new AnalyticOffset[CellIndex.COUNT];
        for (TrainingSet cell : TrainingSet.cells(records, schema, MIN_ROWS)) {
            int c = CellIndex.of(cell.algorithm, cell.target);
            long t0 = System.nanoTime();
            double[] y = cell.y;
            if (params.analyticOffset() && cell.target != Target.DT && AnalyticOffset.available(schema, cell.target)) {
                AnalyticOffset off =
                        AnalyticOffset.of(schema, cell.target, AnalyticOffset.meanOffset(schema, cell.target, cell.x));
                offsets[c] = off;
                y = y.clone();
                for (int i = 0; i < y.length; i++) {
                    y[i] -= off.apply(cell.x[i]);
                }
            }
            String description = "lm-advisor " + cell.algorithm + "/" + cell.target + " (" + cell.rows() + " rows)";
            XGBoostModel<Regressor> model = (XGBoostModel<Regressor>)
                    trainer(seed + c).train(TribuoData.dataset(description, names, cell.x, y));
            int iterations = robustIterations(cell.target);
            for (int it = 0; it < iterations; it++) {
                // IRLS towards least absolute deviation in log space: the conditional median suits a
                // relative-error metric and ignores the heavy tails and 1 ms quantisation of downtimes.
                CompiledTrees trees = CompiledTrees.compile(model, schema.names());
                double[] w = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    w[i] = 1.0 / Math.max(Math.abs(y[i] - trees.evaluate(cell.x[i])), params.robustDelta());
                }
                model = (XGBoostModel<Regressor>) trainer(seed + c)
                        .train(TribuoData.dataset(description + " irls " + (it + 1), names, cell.x, y, normalise(w)));
            }
            models[c] = model;
            progress.report(String.format(
                    java.util.Locale.ROOT,
                    "gbt %s/%s: %d rows, %.1f s",
                    cell.algorithm.shortName(),
                    cell.target,
                    cell.rows(),
                    (System.nanoTime() - t0) / 1e9));
        }
        return new GradientBoostedModel(schema, params, models, offsets);
    }

    private int robustIterations(Target t) {
        return params.robustTargets().contains(t) ? params.robustIterations() : 0;
    }

    /** Weights scaled to mean 1, so min_child_weight keeps its meaning. */
    private static double[] normalise(double[] w) {
        double s = 0;
        for (double v : w) {
            s += v;
        }
        double k = w.length / s;
        for (int i = 0; i < w.length; i++) {
            w[i] *= k;
        }
        return w;
    }

    private XGBoostRegressionTrainer trainer(long seed) {
        return new XGBoostRegressionTrainer(
                XGBoostTrainer.BoosterType.GBTREE,
                XGBoostTrainer.TreeMethod.EXACT,
                XGBoostRegressionTrainer.RegressionType.LINEAR,
                params.rounds(),
                params.eta(),
                params.gamma(),
                params.maxDepth(),
                params.minChildWeight(),
                params.subsample(),
                params.colsample(),
                params.lambda(),
                0.0,
                threads,
                XGBoostTrainer.LoggingVerbosity.SILENT,
                seed);
    }
}
