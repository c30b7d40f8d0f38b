package io.lmadvisor.model.learn;

import io.lmadvisor.model.features.FeatureSchema;
import java.util.Map;

/**
 * A few-parameter formula fitted to a fleet's rows that stands in for the prior in one cell, where the prior's
 * figure means something else on this fleet ({@link MultifdZstd}, {@link DowntimeLogLinear}).
 */
public interface CellFormula {
    /** The cell's figure in the target's unit; NaN when the profile lacks an input. */
    double predict(FeatureSchema schema, double[] x);

    /** Its name in model files. */
    String kind();

    /** Its parameters by name, for the model file. */
    Map<String, Double> parameters();

    /** One sentence for the model's provenance. */
    String describe();

    static CellFormula of(String kind, Map<String, Double> p) {
        switch (kind) {
            case MultifdZstd.KIND:
                return new MultifdZstd(p.get("scale"), p.get("exponent"), p.get("zstdMBps"));
            case DowntimeLogLinear.KIND:
                return new DowntimeLogLinear(p.get("intercept"), p.get("ptrSlope"), p.get("dirtySlope"));
            default:
                throw new IllegalArgumentException("unknown cell formula '" + kind + "'");
        }
    }
}
