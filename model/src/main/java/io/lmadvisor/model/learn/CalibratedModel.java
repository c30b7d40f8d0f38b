package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;

/**
 * A prior plus a fleet's correction: per cell, shallow trees fitted to the prior's model-space residual
 * on the fleet's migrations ({@link Calibration}). A cell without a correction (too few fleet rows)
 * predicts exactly what the prior predicts.
 */
public final class CalibratedModel implements MigrationModel {
    public static final String NAME = "gbt-calibrated";

    private final ModelArtifact prior;
    private final MigrationModel priorModel;
    private final GradientBoostedModel correction;
    private final Calibration.Params params;
    private final int[] fleetRows;

    /**
     * @param correction trees on the prior's schema, no offsets, base score 0; null cells keep the prior
     * @param fleetRows  fleet rows per {@link CellIndex} cell the calibration saw
     */
    public CalibratedModel(ModelArtifact prior, GradientBoostedModel correction, Calibration.Params params, int[] fleetRows) {
        this.prior = prior;
        this.priorModel = prior.model();
        this.correction = correction;
        this.params = params;
        this.fleetRows = fleetRows.clone();
    }

    @Override
    public FeatureSchema schema() {
        return priorModel.schema();
    }

    @Override
    public boolean supports(Algorithm algorithm, Target target) {
        return priorModel.supports(algorithm, target);
    }

    @Override
    public double predict(Algorithm algorithm, Target target, double[] features) {
        double p = priorModel.predict(algorithm, target, features);
        CompiledTrees trees = correction.compiledTrees(algorithm, target);
        if (trees == null || !(p == p)) {
            return p;
        }
        return TargetSpace.fromModel(target, TargetSpace.toModel(target, Math.max(p, 0.0)) + trees.evaluate(features));
    }

    /** Whether the fleet corrected this cell (else it is the prior's). */
    public boolean corrected(Algorithm algorithm, Target target) {
        return correction.compiledTrees(algorithm, target) != null;
    }

    public int fleetRows(Algorithm algorithm, Target target) {
        return fleetRows[CellIndex.of(algorithm, target)];
    }

    public ModelArtifact prior() {
        return prior;
    }

    public GradientBoostedModel correction() {
        return correction;
    }

    public Calibration.Params params() {
        return params;
    }

    @Override
    public String learnerName() {
        return NAME;
    }
}
