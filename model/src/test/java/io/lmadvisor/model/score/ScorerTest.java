package io.lmadvisor.model.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.GbtParams;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBaggingLearner;
import io.lmadvisor.model.learn.SvrParams;
import io.lmadvisor.model.learn.SyntheticMigrations;
import java.lang.management.ManagementFactory;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorerTest {
    private static final List<MigrationRecord> TRAIN =
            SyntheticMigrations.records(150, 1, Algorithm.PRECOPY, Algorithm.XBZRLE, Algorithm.POSTCOPY);

    private static MigrationModel gbt() {
        return new GradientBoostedLearner(
                        new GbtParams(30, 6, 0.2, 0.8, 1, 1, 1, 0, true, 1, 0.01, EnumSet.allOf(Target.class)), 1)
                .train(TRAIN, FeatureSchema.subset(), 1, Learner.Progress.NONE);
    }

    private static double[] profile() {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 2048;
        raw[RawFeature.PDR.ordinal()] = 40;
        raw[RawFeature.PTR.ordinal()] = 80;
        return raw;
    }

    @Test
    void fillsExactlyTheSupportedCells() {
        MigrationModel model = gbt();
        Scorer scorer = new Scorer(model);
        double[] out = new double[Scorer.OUTPUTS];
        java.util.Arrays.fill(out, -1);
        scorer.scoreAll(profile(), out);
        double[] x = model.schema().extract(profile());
        int filled = 0;
        for (Algorithm a : Algorithm.values()) {
            for (Target t : Target.values()) {
                double v = out[Scorer.index(a, t)];
                boolean expected = (a == Algorithm.PRECOPY || a == Algorithm.XBZRLE || a == Algorithm.POSTCOPY)
                        && (t == Target.TT || t == Target.DT || t == Target.TD);
                assertEquals(expected, !Double.isNaN(v), a + "/" + t);
                if (expected) {
                    assertEquals(model.predict(a, t, x), v, 0.0);
                    assertTrue(v > 0);
                    filled++;
                }
            }
        }
        assertEquals(9, filled);
        assertEquals(9, scorer.supportedCells());
    }

    @Test
    void bandwidthOverloadReplacesPtrWithoutTouchingTheProfile() {
        Scorer scorer =
                new Scorer(new AnalyticLearner().train(TRAIN, FeatureSchema.subset(), 0, Learner.Progress.NONE));
        double[] raw = profile();
        double[] slow = new double[Scorer.OUTPUTS];
        double[] fast = new double[Scorer.OUTPUTS];
        scorer.scoreAll(raw, 40, slow);
        scorer.scoreAll(raw, 120, fast);
        assertEquals(80, raw[RawFeature.PTR.ordinal()]);
        int tt = Scorer.index(Algorithm.PRECOPY, Target.TT);
        assertTrue(slow[tt] > fast[tt], slow[tt] + " vs " + fast[tt]);
        assertFalse(scorer.supports(Algorithm.COMPRESS, Target.TT));
    }

    @Test
    void hotPathAllocatesNothing() {
        for (MigrationModel model : List.of(
                gbt(),
                new AnalyticLearner().train(TRAIN, FeatureSchema.subset(), 0, Learner.Progress.NONE),
                new SvrBaggingLearner(SvrParams.defaults().withEstimators(2), 1)
                        .train(TRAIN, FeatureSchema.subset(), 0, Learner.Progress.NONE))) {
            Scorer scorer = new Scorer(model);
            double[] raw = profile();
            double[] out = new double[Scorer.OUTPUTS];
            double sink = 0;
            for (int i = 0; i < 20_000; i++) {
                raw[RawFeature.PTR.ordinal()] = 50 + i % 100;
                scorer.scoreAll(raw, out);
                scorer.scoreAll(raw, 60 + i % 50, out);
                sink += out[0];
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 5_000; i++) {
                raw[RawFeature.PTR.ordinal()] = 50 + i % 100;
                scorer.scoreAll(raw, out);
                scorer.scoreAll(raw, 60 + i % 50, out);
                sink += out[0];
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, model.learnerName() + " allocated " + allocated + " bytes");
            assertFalse(Double.isInfinite(sink));
        }
    }
}
