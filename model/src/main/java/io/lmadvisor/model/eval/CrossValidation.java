package io.lmadvisor.model.eval;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.data.KFold;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.List;

/** k-fold cross-validation scored on the pooled out-of-fold predictions. */
public final class CrossValidation {
    private CrossValidation() {}

    /**
     * Trains {@code folds} models, each without one fold, predicts that fold, and computes every cell's
     * measures once over all folds' predictions (per-fold averages of geometric means would weight
     * small folds wrongly). Every fold is trained with {@code seed}, which also fixes the folds.
     *
     * @return a report named after the learner
     */
    public static EvaluationReport run(
            Learner learner,
            List<MigrationRecord> records,
            FeatureSchema schema,
            int folds,
            long seed,
            Learner.Progress progress) {
        Learner.Progress out = progress == null ? Learner.Progress.NONE : progress;
        List<KFold.Fold<MigrationRecord>> split = KFold.split(records, folds, seed);
        PredictionPool pool = new PredictionPool();
        for (KFold.Fold<MigrationRecord> fold : split) {
            String prefix = "fold " + (fold.index() + 1) + "/" + folds + ": ";
            long start = System.nanoTime();
            out.report(prefix + "training " + learner.name() + " on "
                    + fold.train().size() + " rows");
            MigrationModel model = learner.train(fold.train(), schema, seed, message -> out.report(prefix + message));
            long unsupported = pool.add(model, fold.test());
            out.report(prefix + "predicted " + fold.test().size() + " held-out rows in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms"
                    + (unsupported > 0
                            ? "; " + unsupported + " true values in cells this fold's model lacks were not scored"
                            : ""));
        }
        return pool.report(learner.name());
    }
}
