package io.lmadvisor.streams.recommend;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.List;

/**
 * A transparent stand-in model: TT = size / PTR × factor, DT = a fixed downtime per algorithm,
 * TD = size × factor, PERF per algorithm. Enough to check the choice logic by hand.
 */
public final class HandModel implements MigrationModel {
    static final double[] TT_FACTOR = {1.5, 1.3, 1.2, 0.9, 1.1};
    static final double[] DT_MS = {900, 400, 350, 700, 5};
    static final double[] PERF = {0.05, 0.40, 0.08, 0.10, 0.30};
    final FeatureSchema schema = new FeatureSchema(List.of(Feature.VM_SIZE, Feature.PTR), 125, 2);

    @Override
    public FeatureSchema schema() {
        return schema;
    }

    @Override
    public boolean supports(Algorithm a, Target t) {
        return t != Target.CPU && t != Target.MEM;
    }

    @Override
    public String learnerName() {
        return "hand";
    }

    @Override
    public double predict(Algorithm a, Target t, double[] f) {
        double sizeMb = f[0];
        double ptr = f[1];
        switch (t) {
            case TT:
                return sizeMb / ptr * 1000 * TT_FACTOR[a.ordinal()];
            case DT:
                return DT_MS[a.ordinal()];
            case TD:
                return sizeMb * 1048576 * TT_FACTOR[a.ordinal()];
            case PERF:
                return PERF[a.ordinal()];
            default:
                return Double.NaN;
        }
    }
}
