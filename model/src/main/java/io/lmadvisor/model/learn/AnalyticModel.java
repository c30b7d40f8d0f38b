package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.Pages;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The analytic pre-copy model as a {@link MigrationModel}. Its schema holds the three analytic
 * features, so {@link FeatureSchema#extract} does the computation and {@link #predict} only converts
 * units. Supports TT, DT and TD.
 */
public final class AnalyticModel implements MigrationModel {

    private final FeatureSchema schema;
    private final Set<Algorithm> algorithms;
    private final boolean[] supported = new boolean[CellIndex.COUNT];

    public AnalyticModel(double linkSpeedMBps, double vmVcpus, Set<Algorithm> algorithms) {
        this.schema = new FeatureSchema(
                List.of(Feature.ANALYTIC_TT_MS, Feature.ANALYTIC_DT_MS, Feature.ANALYTIC_TD_MB),
                linkSpeedMBps,
                vmVcpus);
        this.algorithms = algorithms.isEmpty() ? EnumSet.noneOf(Algorithm.class) : EnumSet.copyOf(algorithms);
        for (Algorithm a : algorithms) {
            supported[CellIndex.of(a, Target.TT)] = true;
            supported[CellIndex.of(a, Target.DT)] = true;
            supported[CellIndex.of(a, Target.TD)] = true;
        }
    }

    public Set<Algorithm> algorithms() {
        return EnumSet.copyOf(algorithms);
    }

    @Override
    public FeatureSchema schema() {
        return schema;
    }

    @Override
    public boolean supports(Algorithm algorithm, Target target) {
        return supported[CellIndex.of(algorithm, target)];
    }

    @Override
    public double predict(Algorithm algorithm, Target target, double[] features) {
        if (!supported[CellIndex.of(algorithm, target)]) {
            return Double.NaN;
        }
        switch (target) {
            case TT:
                return features[0];
            case DT:
                return features[1];
            case TD:
                return features[2] * Pages.BYTES_PER_MB;
            default:
                return Double.NaN;
        }
    }

    @Override
    public String learnerName() {
        return AnalyticLearner.NAME;
    }
}
