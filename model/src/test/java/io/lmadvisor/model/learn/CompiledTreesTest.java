package io.lmadvisor.model.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CompiledTreesTest {
    static GradientBoostedModel model;
    static FeatureSchema schema = FeatureSchema.subset();

    @BeforeAll
    static void train() {
        List<MigrationRecord> train = SyntheticMigrations.records(400, 1, Algorithm.PRECOPY, Algorithm.POSTCOPY);
        model = new GradientBoostedLearner(
                        new GbtParams(
                                40, 6, 0.2, 0.8, 0.8, 1, 1, 0, true, 2, 0.01, java.util.EnumSet.allOf(Target.class)),
                        1)
                .train(train, schema, 7, Learner.Progress.NONE);
    }

    @Test
    void compiledTreesEqualTribuoPredictions() {
        List<MigrationRecord> test = SyntheticMigrations.records(150, 99, Algorithm.PRECOPY, Algorithm.POSTCOPY);
        int checked = 0;
        for (MigrationRecord r : test) {
            double[] x = schema.extract(r.raw());
            for (Target t : List.of(Target.TT, Target.DT, Target.TD)) {
                double tribuo = model.predictTreesWithTribuo(r.algorithm(), t, x);
                double compiled = model.predictTrees(r.algorithm(), t, x);
                assertEquals(tribuo, compiled, 1e-5, () -> r + " " + t);
                checked++;
            }
        }
        assertEquals(900, checked);
    }

    @Test
    void absentFeaturesFollowXgboostDefaultBranch() {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = 2000;
        raw[RawFeature.PTR.ordinal()] = 100;
        double[] x = schema.extract(raw);
        assertTrue(Double.isNaN(x[schema.features().indexOf(io.lmadvisor.model.features.Feature.PDR)]));
        for (Target t : List.of(Target.TT, Target.DT, Target.TD)) {
            assertEquals(
                    model.predictTreesWithTribuo(Algorithm.PRECOPY, t, x),
                    model.predictTrees(Algorithm.PRECOPY, t, x),
                    1e-5);
        }
    }

    @Test
    void onlyCellsWithDataAreSupportedAndPredictionsArePositive() {
        assertTrue(model.supports(Algorithm.PRECOPY, Target.TT));
        assertFalse(model.supports(Algorithm.XBZRLE, Target.TT));
        assertFalse(model.supports(Algorithm.PRECOPY, Target.PERF));
        double[] x = schema.extract(
                SyntheticMigrations.records(1, 5, Algorithm.PRECOPY).get(0).raw());
        assertTrue(Double.isNaN(model.predict(Algorithm.XBZRLE, Target.TT, x)));
        assertTrue(model.predict(Algorithm.PRECOPY, Target.TT, x) > 0);
    }

    @Test
    void gbtBeatsTheAnalyticModelOnItsOwnKindOfData() {
        List<MigrationRecord> test = SyntheticMigrations.records(200, 123, Algorithm.PRECOPY);
        double logErr = 0;
        for (MigrationRecord r : test) {
            double p = model.predict(Algorithm.PRECOPY, Target.TT, schema.extract(r.raw()));
            logErr += Math.log(Math.abs(p - r.target(Target.TT)) / r.target(Target.TT));
        }
        double gmre = Math.exp(logErr / test.size());
        assertTrue(gmre < 0.06, "gMRE " + gmre);
    }

    @Test
    void trainingIsDeterministicForASeed() {
        List<MigrationRecord> train = SyntheticMigrations.records(200, 3, Algorithm.PRECOPY);
        GbtParams p = new GbtParams(20, 4, 0.3, 0.7, 1, 1, 1, 0, true);
        GradientBoostedModel a = new GradientBoostedLearner(p, 2).train(train, schema, 11, Learner.Progress.NONE);
        GradientBoostedModel b = new GradientBoostedLearner(p, 2).train(train, schema, 11, Learner.Progress.NONE);
        for (MigrationRecord r : SyntheticMigrations.records(50, 4, Algorithm.PRECOPY)) {
            double[] x = schema.extract(r.raw());
            assertEquals(a.predict(Algorithm.PRECOPY, Target.TD, x), b.predict(Algorithm.PRECOPY, Target.TD, x));
        }
    }
}
