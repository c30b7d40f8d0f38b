package io.lmadvisor.model.eval;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.List;

/** Scores a trained model on records it has not seen. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * One row per (algorithm, target) that has a true value in the records and that the model
     * supports, in Algorithm then Target order. Features come from {@code model.schema()}.
     */
    public static EvaluationReport evaluate(String modelName, MigrationModel model, List<MigrationRecord> records) {
        PredictionPool pool = new PredictionPool();
        pool.add(model, records);
        return pool.report(modelName);
    }
}
