package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;

/**
 * A prior plus a fleet's correction ({@link Calibration}): per target, shallow trees fitted to the prior's
 * model-space residual on every algorithm's fleet rows, then per cell trees on what remains. A cell
 * without fleet rows predicts exactly what the prior predicts.
 */
public final class CalibratedModel implements MigrationModel {
    public static final String NAME = "gbt-calibrated";

    private final ModelArtifact prior;
    private final MigrationModel priorModel;
    private final GradientBoostedModel correction;
    private final Calibration.Params params;
    private final int[] fleetRows;
    private final XGBoostModel<Regressor>[] pooled;
    private final CompiledTrees[] pooledTrees;
    private final double[] offsets;
    private final boolean[] replaced;
    private final CellFormula[] formulas;

    /**
     * @param pooled     per {@link Target} ordinal, trees fitted on every algorithm's rows (the fleet-wide
     *                   part of the correction); applied only to cells with fleet rows; null = none
     * @param correction per-cell trees on what the pooled part leaves, no offsets, base score 0; null
     *                   cells get no per-cell correction
     * @param fleetRows  fleet rows per {@link CellIndex} cell the calibration saw
     */
    public CalibratedModel(
            ModelArtifact prior,
            XGBoostModel<Regressor>[] pooled,
            GradientBoostedModel correction,
            Calibration.Params params,
            int[] fleetRows) {
        this(prior, pooled, correction, params, fleetRows, new double[CellIndex.COUNT], new boolean[CellIndex.COUNT]);
    }

    /**
     * @param offsets  per {@link CellIndex} cell, a constant added in model space after the pooled part (0 = none)
     * @param replaced per cell, whether the fleet's median ({@code offsets}, in model space) stands in for the prior
     */
    public CalibratedModel(
            ModelArtifact prior,
            XGBoostModel<Regressor>[] pooled,
            GradientBoostedModel correction,
            Calibration.Params params,
            int[] fleetRows,
            double[] offsets,
            boolean[] replaced) {
        this(prior, pooled, correction, params, fleetRows, offsets, replaced, new CellFormula[CellIndex.COUNT]);
    }

    /** @param formulas per cell, a formula fitted to the fleet that stands in for the prior; null = none */
    public CalibratedModel(
            ModelArtifact prior,
            XGBoostModel<Regressor>[] pooled,
            GradientBoostedModel correction,
            Calibration.Params params,
            int[] fleetRows,
            double[] offsets,
            boolean[] replaced,
            CellFormula[] formulas) {
        this.formulas = formulas.clone();
        this.offsets = offsets.clone();
        this.replaced = replaced.clone();
        this.prior = prior;
        this.priorModel = prior.model();
        this.correction = correction;
        this.params = params;
        this.fleetRows = fleetRows.clone();
        this.pooled = pooled.clone();
        this.pooledTrees = new CompiledTrees[pooled.length];
        for (int t = 0; t < pooled.length; t++) {
            if (pooled[t] != null) {
                pooledTrees[t] =
                        CompiledTrees.compile(pooled[t], priorModel.schema().names());
            }
        }
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
        int c = CellIndex.of(algorithm, target);
        if (formulas[c] != null) {
            double p = formulas[c].predict(priorModel.schema(), features);
            if (p >= 0) {
                return p;
            }
            // The profile lacks an input the formula needs: the prior, as it is.
            return priorModel.predict(algorithm, target, features);
        }
        if (replaced[c]) {
            CompiledTrees cell = correction.compiledTrees(algorithm, target);
            return TargetSpace.fromModel(target, offsets[c] + (cell == null ? 0.0 : cell.evaluate(features)));
        }
        double p = priorModel.predict(algorithm, target, features);
        if (!corrected(algorithm, target) || !(p == p)) {
            return p;
        }
        double z = TargetSpace.toModel(target, Math.max(p, 0.0));
        CompiledTrees all = pooledTrees[target.ordinal()];
        if (all != null) {
            z += all.evaluate(features);
        }
        z += offsets[CellIndex.of(algorithm, target)];
        CompiledTrees cell = correction.compiledTrees(algorithm, target);
        if (cell != null) {
            z += cell.evaluate(features);
        }
        return TargetSpace.fromModel(target, z);
    }

    /** As {@link #predict} for every vector of the batch, bit for bit, with the trees' shared work done once. */
    @Override
    public void predictAll(Algorithm algorithm, Target target, FeatureBatch batch, double[] out) {
        int c = CellIndex.of(algorithm, target);
        int count = batch.count();
        if (formulas[c] != null) {
            boolean lacking = false;
            for (int k = 0; k < count; k++) {
                out[k] = formulas[c].predict(priorModel.schema(), batch.features(k));
                lacking |= !(out[k] >= 0);
            }
            if (lacking) {
                // Some profile lacks an input the formula needs: the prior, as it is, for those.
                priorModel.predictAll(algorithm, target, batch, out);
                for (int k = 0; k < count; k++) {
                    double f = formulas[c].predict(priorModel.schema(), batch.features(k));
                    if (f >= 0) {
                        out[k] = f;
                    }
                }
            }
            return;
        }
        if (!replaced[c]) {
            // First, as a prior may use the batch's work vectors too.
            priorModel.predictAll(algorithm, target, batch, out);
            if (!corrected(algorithm, target)) {
                return;
            }
        }
        CompiledTrees cell = correction.compiledTrees(algorithm, target);
        double[] cellOut = batch.work(0);
        if (cell != null) {
            cell.evaluateAll(batch, cellOut);
        }
        if (replaced[c]) {
            for (int k = 0; k < count; k++) {
                out[k] = TargetSpace.fromModel(target, offsets[c] + (cell == null ? 0.0 : cellOut[k]));
            }
            return;
        }
        CompiledTrees all = pooledTrees[target.ordinal()];
        double[] allOut = batch.work(1);
        if (all != null) {
            all.evaluateAll(batch, allOut);
        }
        for (int k = 0; k < count; k++) {
            double p = out[k];
            if (!(p == p)) {
                continue;
            }
            double z = TargetSpace.toModel(target, Math.max(p, 0.0));
            if (all != null) {
                z += allOut[k];
            }
            z += offsets[c];
            if (cell != null) {
                z += cellOut[k];
            }
            out[k] = TargetSpace.fromModel(target, z);
        }
    }

    /** Whether the fleet corrected this cell (else it is the prior's, exactly). */
    public boolean corrected(Algorithm algorithm, Target target) {
        return formulas[CellIndex.of(algorithm, target)] != null
                || correction.compiledTrees(algorithm, target) != null
                || offsets[CellIndex.of(algorithm, target)] != 0
                || replaced[CellIndex.of(algorithm, target)]
                || (pooledTrees[target.ordinal()] != null && fleetRows[CellIndex.of(algorithm, target)] > 0);
    }

    /** Whether any cell uses a formula (the model file then needs a reader that knows them). */
    public boolean hasFormulas() {
        for (CellFormula f : formulas) {
            if (f != null) {
                return true;
            }
        }
        return false;
    }

    /** The formula fitted to the fleet that stands in for the prior in this cell; null = none. */
    public CellFormula formula(Algorithm algorithm, Target target) {
        return formulas[CellIndex.of(algorithm, target)];
    }

    /** The fleet-wide correction of a target, or null. */
    public XGBoostModel<Regressor> pooled(Target target) {
        return pooled[target.ordinal()];
    }

    /** Whether the fleet's own median (plus trees) stands in for the prior in this cell. */
    public boolean replaced(Algorithm algorithm, Target target) {
        return replaced[CellIndex.of(algorithm, target)];
    }

    /** The cell's constant correction in model space (0 = none); the fleet's median where {@link #replaced}. */
    public double offset(Algorithm algorithm, Target target) {
        return offsets[CellIndex.of(algorithm, target)];
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
