package io.lmadvisor.model.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SvrBaggingLearnerTest {
    /** TT = exp(linear in size and PTR): linear in log space, which the bagged SVR should fit closely. */
    private static List<MigrationRecord> linearish(int n, long seed) {
        Random rnd = new Random(seed);
        List<MigrationRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] raw = RawFeature.emptyVector();
            double size = 500 + rnd.nextDouble() * 3000;
            double ptr = 50 + rnd.nextDouble() * 75;
            raw[RawFeature.VM_SIZE.ordinal()] = size;
            raw[RawFeature.PDR.ordinal()] = 10 + rnd.nextDouble() * 20;
            raw[RawFeature.PTR.ordinal()] = ptr;
            double[] t = MigrationRecord.emptyTargets();
            t[Target.TT.ordinal()] = Math.exp(8 + size / 2000 - ptr / 100) * Math.exp(0.01 * rnd.nextGaussian());
            out.add(new MigrationRecord("r" + i, 0, Algorithm.PRECOPY, Workload.IDLE, raw, t));
        }
        return out;
    }

    @Test
    void fewEstimatorsFitALinearishTarget() {
        // Seven features, six per estimator: size and rate information survives every feature draw.
        FeatureSchema schema = FeatureSchema.subset();
        SvrBaggingModel m = new SvrBaggingLearner(SvrParams.defaults().withEstimators(4), 2)
                .train(linearish(300, 1), schema, 5, Learner.Progress.NONE);
        assertTrue(m.supports(Algorithm.PRECOPY, Target.TT));
        assertEquals(4, m.bag(Algorithm.PRECOPY, Target.TT).estimators().size());
        double[] re = linearish(200, 2).stream()
                .mapToDouble(r -> {
                    double p = m.predict(Algorithm.PRECOPY, Target.TT, schema.extract(r.raw()));
                    return Math.abs(p - r.target(Target.TT)) / r.target(Target.TT);
                })
                .sorted()
                .toArray();
        double median = re[re.length / 2];
        assertTrue(median < 0.05, "median relative error " + median + " " + Arrays.toString(Arrays.copyOf(re, 5)));
    }

    @Test
    void plainJavaKernelEqualsLibsvm() {
        FeatureSchema schema = FeatureSchema.subset();
        SvrBaggingModel m = new SvrBaggingLearner(SvrParams.defaults().withEstimators(3), 1)
                .train(SyntheticMigrations.records(150, 3, Algorithm.XBZRLE), schema, 9, Learner.Progress.NONE);
        SvrBag bag = m.bag(Algorithm.XBZRLE, Target.TD);
        double[] xs = new double[schema.size()];
        for (MigrationRecord r : SyntheticMigrations.records(30, 4, Algorithm.XBZRLE)) {
            bag.standardize(schema.extract(r.raw()), xs);
            for (SvrEstimator e : bag.estimators()) {
                List<String> names = new ArrayList<>();
                for (int f : e.schemaFeatures()) {
                    names.add(schema.names().get(f));
                }
                assertEquals(e.evaluateWithTribuo(xs, names), e.evaluate(xs), 1e-9);
            }
        }
    }
}
