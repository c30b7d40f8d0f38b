package io.lmadvisor.model.eval;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** Test doubles: records keyed by VM size, and models predicting from the extracted features. */
final class Stubs {
    private Stubs() {}

    /** Schema whose single feature is the VM size, so a model sees which record it is scoring. */
    static final FeatureSchema SIZE_ONLY = new FeatureSchema(
            List.of(Feature.VM_SIZE), FeatureSchema.DEFAULT_LINK_SPEED_MBPS, FeatureSchema.DEFAULT_VM_VCPUS);

    static MigrationRecord record(String id, Algorithm a, double sizeMb, double ttMs, double dtMs) {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = sizeMb;
        raw[RawFeature.PDR.ordinal()] = 10;
        raw[RawFeature.PTR.ordinal()] = 100;
        double[] y = MigrationRecord.emptyTargets();
        y[Target.TT.ordinal()] = ttMs;
        y[Target.DT.ordinal()] = dtMs;
        return new MigrationRecord(id, 0, a, Workload.IDLE, raw, y);
    }

    interface Predictor {
        double predict(Algorithm a, Target t, double[] features);
    }

    static MigrationModel model(Set<Algorithm> algorithms, Set<Target> targets, Predictor p) {
        return new MigrationModel() {
            @Override
            public FeatureSchema schema() {
                return SIZE_ONLY;
            }

            @Override
            public boolean supports(Algorithm algorithm, Target target) {
                return algorithms.contains(algorithm) && targets.contains(target);
            }

            @Override
            public double predict(Algorithm algorithm, Target target, double[] features) {
                return supports(algorithm, target) ? p.predict(algorithm, target, features) : Double.NaN;
            }

            @Override
            public String learnerName() {
                return "stub";
            }
        };
    }

    static double[] column(List<MigrationRecord> rs, ToDoubleFunction<MigrationRecord> f) {
        return rs.stream().mapToDouble(f).toArray();
    }
}
