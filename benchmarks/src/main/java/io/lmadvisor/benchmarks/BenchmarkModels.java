package io.lmadvisor.benchmarks;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.Learners;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBaggingLearner;
import io.lmadvisor.model.learn.SvrParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Models for the benchmarks: loaded from {@code -Dlmadvisor.model.<learner>=FILE} when given (e.g. the
 * artifacts HoldoutComparison writes), otherwise trained on synthetic data shaped like csap-subset's
 * 70 % split (5 algorithms × 2,600 rows; TT, DT, TD).
 */
final class BenchmarkModels {
    static final int ROWS_PER_ALGORITHM = 2_600;

    private BenchmarkModels() {}

    static MigrationModel model(String learner) throws IOException {
        String file = System.getProperty("lmadvisor.model." + learner);
        if (file != null) {
            return ModelArtifact.load(Path.of(file)).model();
        }
        Learner l = learner.equals(SvrBaggingLearner.NAME)
                ? new SvrBaggingLearner(SvrParams.defaults()
                        .withEstimators(Integer.getInteger(
                                "lmadvisor.svr.estimators", SvrParams.defaults().estimators())))
                : Learners.byName(learner);
        return l.train(records(ROWS_PER_ALGORITHM, 1), FeatureSchema.subset(), 1, m -> System.out.println("  " + m));
    }

    static List<MigrationRecord> records(int perAlgorithm, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<MigrationRecord> out = new ArrayList<>();
        for (Algorithm a : Algorithm.values()) {
            for (int i = 0; i < perAlgorithm; i++) {
                double[] raw = profile(rnd);
                GeometricPrecopy.Estimate e = GeometricPrecopy.estimate(
                        raw[RawFeature.VM_SIZE.ordinal()],
                        raw[RawFeature.PDR.ordinal()],
                        Math.min(raw[RawFeature.PTR.ordinal()], 125),
                        Double.NaN);
                double noise = Math.exp(0.1 * gaussian(rnd));
                double[] t = MigrationRecord.emptyTargets();
                t[Target.TT.ordinal()] = e.totalTimeMs * (1 + 0.2 * a.ordinal()) * noise + 300;
                t[Target.DT.ordinal()] = a == Algorithm.POSTCOPY ? 1 + rnd.nextInt(3) : 5 + e.downtimeMs * noise;
                t[Target.TD.ordinal()] = e.transferredBytes * noise;
                out.add(new MigrationRecord("s" + a.ordinal() + "-" + i, 0, a, Workload.SYNTHETIC, raw, t));
            }
        }
        return out;
    }

    /** A csap-subset-like profile: size 250–4,000 MB, dirty rate 0–145 MB/s, PTR 50–150 MB/s. */
    static double[] profile(SplittableRandom rnd) {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 250 + rnd.nextDouble() * 3_750;
        raw[RawFeature.PDR.ordinal()] = rnd.nextDouble() * rnd.nextDouble() * 145;
        raw[RawFeature.PTR.ordinal()] = 50 + rnd.nextInt(101);
        return raw;
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
