package io.lmadvisor.model.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.CellIndex;
import io.lmadvisor.model.learn.GbtParams;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBaggingLearner;
import io.lmadvisor.model.learn.SvrParams;
import io.lmadvisor.model.learn.SyntheticMigrations;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * A profile at several destinations and bandwidths in one batch, and each alone, give what each cell's own
     * {@code predict} gives, bit for bit, for the shipped models (the bundled prior, and the lab model: a calibrated one) and a subset model.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "../streams-app/src/main/resources/models/lm-advisor-default.lmm",
                "../models/lab-qemu10-tcg.lmm",
                ""
            })
    void aBatchOfDestinationsScoresAsOneAtATime(String file) throws Exception {
        Assumptions.assumeTrue(file.isEmpty() || Files.isRegularFile(Path.of(file)), file + " is not in this checkout");
        MigrationModel model =
                file.isEmpty() ? gbt() : ModelArtifact.load(Path.of(file)).model();
        Scorer scorer = new Scorer(model);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int p = 0; p < 200; p++) {
            double[] vm = RawFeature.emptyVector();
            vm[RawFeature.VM_SIZE.ordinal()] = rnd.nextDouble(256, 16_384);
            vm[RawFeature.PDR.ordinal()] = rnd.nextDouble(0, 300);
            vm[RawFeature.WSS.ordinal()] = rnd.nextDouble(1, 4_000);
            vm[RawFeature.CPU_UTIL.ordinal()] = rnd.nextDouble(0, 200);
            if (p % 2 == 0) {
                // As the agents send it half the time: entropy and bytes per page, no instruction rate.
                vm[RawFeature.WSE.ordinal()] = rnd.nextDouble();
                vm[RawFeature.NWSE.ordinal()] = rnd.nextDouble();
                vm[RawFeature.MWPP.ordinal()] = rnd.nextDouble(1, 4096);
            }
            // 3 destinations × a 4-rung ladder; the third destination repeats the first.
            double[][] raws = new double[12][];
            for (int d = 0; d < 3; d++) {
                double cpu = d == 1 ? rnd.nextDouble(0, 3200) : 1600;
                double mem = d == 1 ? rnd.nextDouble(0, 262_144) : 65_536;
                double link = p % 3 == 0 ? 900 : rnd.nextDouble(10, 125);
                for (int r = 0; r < 4; r++) {
                    double[] raw = vm.clone();
                    raw[RawFeature.DST_CPU_AVAIL.ordinal()] = cpu;
                    raw[RawFeature.DST_MEM_AVAIL.ordinal()] = mem;
                    raw[RawFeature.PTR.ordinal()] = link * (r + 1) / 4;
                    raws[4 * d + r] = raw;
                }
            }
            int count = 1 + p % raws.length;
            double[][] batch = new double[count][Scorer.OUTPUTS];
            scorer.scoreAll(raws, count, batch);
            double[] one = new double[Scorer.OUTPUTS];
            for (int k = 0; k < count; k++) {
                scorer.scoreAll(raws[k], one);
                // The reference: each cell's own predict, which neither the batch nor a single call goes through.
                double[] x = model.schema().extract(raws[k]);
                for (int c = 0; c < Scorer.OUTPUTS; c++) {
                    double expected = model.predict(CellIndex.algorithm(c), CellIndex.target(c), x);
                    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(one[c]), "cell " + c);
                    assertEquals(
                            Double.doubleToLongBits(expected), Double.doubleToLongBits(batch[k][c]), "vector " + k);
                }
            }
        }
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
            double[][] raws = {profile(), profile(), profile()};
            double[][] outs = new double[3][Scorer.OUTPUTS];
            double sink = 0;
            for (int i = 0; i < 20_000; i++) {
                raw[RawFeature.PTR.ordinal()] = 50 + i % 100;
                scorer.scoreAll(raw, out);
                scorer.scoreAll(raw, 60 + i % 50, out);
                raws[1][RawFeature.PTR.ordinal()] = 40 + i % 60;
                scorer.scoreAll(raws, 3, outs);
                sink += out[0];
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 5_000; i++) {
                raw[RawFeature.PTR.ordinal()] = 50 + i % 100;
                scorer.scoreAll(raw, out);
                scorer.scoreAll(raw, 60 + i % 50, out);
                raws[1][RawFeature.PTR.ordinal()] = 40 + i % 60;
                scorer.scoreAll(raws, 3, outs);
                sink += out[0] + outs[1][0];
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, model.learnerName() + " allocated " + allocated + " bytes");
            assertFalse(Double.isInfinite(sink));
        }
    }
}
