package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.Map;

/** The {@code svr-bagging} model: one {@link SvrBag} per (algorithm, target). */
public final class SvrBaggingModel implements MigrationModel {
    private final FeatureSchema schema;
    private final SvrParams params;
    private final SvrBag[] bags;

    /** {@code bags} is indexed by {@link CellIndex}; null = unsupported. */
    public SvrBaggingModel(FeatureSchema schema, SvrParams params, SvrBag[] bags) {
        if (bags.length != CellIndex.COUNT) {
            throw new IllegalArgumentException("expected " + CellIndex.COUNT + " cells");
        }
        this.schema = schema;
        this.params = params;
        this.bags = bags.clone();
    }

    @Override
    public FeatureSchema schema() {
        return schema;
    }

    @Override
    public boolean supports(Algorithm algorithm, Target target) {
        return bags[CellIndex.of(algorithm, target)] != null;
    }

    @Override
    public double predict(Algorithm algorithm, Target target, double[] features) {
        SvrBag b = bags[CellIndex.of(algorithm, target)];
        return b == null ? Double.NaN : TargetSpace.fromModel(target, b.evaluate(features));
    }

    public SvrBag bag(Algorithm algorithm, Target target) {
        return bags[CellIndex.of(algorithm, target)];
    }

    public SvrParams params() {
        return params;
    }

    public Map<String, String> hyperParameters() {
        return params.toMap();
    }

    @Override
    public String learnerName() {
        return SvrBaggingLearner.NAME;
    }
}
