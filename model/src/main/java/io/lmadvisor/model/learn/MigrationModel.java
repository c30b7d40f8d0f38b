package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;

/**
 * A trained predictor of every (algorithm, target) it was trained for. Inputs are feature vectors
 * produced by {@link #schema()}; outputs are in the target's CSAP unit (ms, bytes, percent, MB).
 * Implementations must be thread-safe for {@link #predict}.
 */
public interface MigrationModel {
    FeatureSchema schema();

    boolean supports(Algorithm algorithm, Target target);

    /** Prediction for one feature vector; NaN when the cell is not supported. */
    double predict(Algorithm algorithm, Target target, double[] features);

    /**
     * {@code out[k] = predict(algorithm, target, batch.features(k))} for every vector of the batch, bit for bit;
     * tree models share the work the vectors have in common.
     */
    default void predictAll(Algorithm algorithm, Target target, FeatureBatch batch, double[] out) {
        for (int k = 0; k < batch.count(); k++) {
            out[k] = predict(algorithm, target, batch.features(k));
        }
    }

    /** The learner's name, e.g. {@code gbt}, {@code svr-bagging}, {@code analytic}. */
    String learnerName();
}
