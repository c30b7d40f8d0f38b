package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.List;
import java.util.Map;
import org.tribuo.Prediction;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;

/**
 * The {@code gbt} model: per cell a Tribuo XGBoost model (kept for provenance and the artifact) and
 * its compiled trees (used for every prediction).
 */
public final class GradientBoostedModel implements MigrationModel {
    private final FeatureSchema schema;
    private final GbtParams params;
    private final XGBoostModel<Regressor>[] tribuo;
    private final CompiledTrees[] compiled;
    private final AnalyticOffset[] offsets;
    private final String[] names;

    /**
     * Compiles every non-null cell; arrays are indexed by {@link CellIndex}. A non-null offset is
     * added to the trees' output (they were fitted to the residual of the analytic model).
     */
    public GradientBoostedModel(
            FeatureSchema schema, GbtParams params, XGBoostModel<Regressor>[] models, AnalyticOffset[] offsets) {
        if (models.length != CellIndex.COUNT) {
            throw new IllegalArgumentException("expected " + CellIndex.COUNT + " cells");
        }
        this.schema = schema;
        this.params = params;
        this.tribuo = models.clone();
        this.offsets = offsets.clone();
        this.compiled = new CompiledTrees[CellIndex.COUNT];
        List<String> schemaNames = schema.names();
        this.names = schemaNames.toArray(new String[0]);
        for (int c = 0; c < models.length; c++) {
            if (models[c] != null) {
                compiled[c] = CompiledTrees.compile(models[c], schemaNames);
            }
        }
    }

    @Override
    public FeatureSchema schema() {
        return schema;
    }

    @Override
    public boolean supports(Algorithm algorithm, Target target) {
        return compiled[CellIndex.of(algorithm, target)] != null;
    }

    @Override
    public double predict(Algorithm algorithm, Target target, double[] features) {
        int c = CellIndex.of(algorithm, target);
        CompiledTrees t = compiled[c];
        if (t == null) {
            return Double.NaN;
        }
        AnalyticOffset off = offsets[c];
        return TargetSpace.fromModel(
                target, off == null ? t.evaluate(features) : t.evaluate(features) + off.apply(features));
    }

    @Override
    public void predictAll(Algorithm algorithm, Target target, FeatureBatch batch, double[] out) {
        int c = CellIndex.of(algorithm, target);
        CompiledTrees t = compiled[c];
        int count = batch.count();
        if (t == null) {
            java.util.Arrays.fill(out, 0, count, Double.NaN);
            return;
        }
        t.evaluateAll(batch, out);
        AnalyticOffset off = offsets[c];
        for (int k = 0; k < count; k++) {
            double z = off == null ? out[k] : out[k] + off.apply(batch.features(k));
            out[k] = TargetSpace.fromModel(target, z);
        }
    }

    /** The analytic offset of a cell, or null when its trees predict the target directly. */
    public AnalyticOffset offset(Algorithm algorithm, Target target) {
        return offsets[CellIndex.of(algorithm, target)];
    }

    /** Raw output of the compiled trees (model space, before any offset). */
    public double predictTrees(Algorithm algorithm, Target target, double[] features) {
        CompiledTrees t = compiled[CellIndex.of(algorithm, target)];
        return t == null ? Double.NaN : t.evaluate(features);
    }

    /** Raw output of Tribuo's own (JNI) prediction of the same trees; slow, for checks only. */
    public double predictTreesWithTribuo(Algorithm algorithm, Target target, double[] features) {
        XGBoostModel<Regressor> m = tribuo[CellIndex.of(algorithm, target)];
        if (m == null) {
            return Double.NaN;
        }
        Prediction<Regressor> p = m.predict(TribuoData.example(names, features));
        return p.getOutput().getValues()[0];
    }

    /** The Tribuo model of a cell, or null. */
    public XGBoostModel<Regressor> tribuoModel(Algorithm algorithm, Target target) {
        return tribuo[CellIndex.of(algorithm, target)];
    }

    public CompiledTrees compiledTrees(Algorithm algorithm, Target target) {
        return compiled[CellIndex.of(algorithm, target)];
    }

    public GbtParams params() {
        return params;
    }

    public Map<String, String> hyperParameters() {
        return params.toMap();
    }

    @Override
    public String learnerName() {
        return GradientBoostedLearner.NAME;
    }
}
