package io.lmadvisor.model.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import org.junit.jupiter.api.Test;

class AnalyticLearnerTest {
    private static final double MB = 1024.0 * 1024.0;

    private static double[] raw(double sizeMb, double pdrMBps, double ptrMBps) {
        double[] raw = RawFeature.emptyVector();
        raw[RawFeature.VM_SIZE.ordinal()] = sizeMb;
        raw[RawFeature.PDR.ordinal()] = pdrMBps;
        raw[RawFeature.PTR.ordinal()] = ptrMBps;
        return raw;
    }

    @Test
    void halvingRoundsByHand() {
        // 1000 MB at 100 MB/s, dirtying 50 MB/s: rounds send 1000, 500, 250, 125, 62.5, 31.25 MB
        // (19.6875 s); 15.625 MB <= 30 MB (100 MB/s x 300 ms) is left for the stop-and-copy (156.25 ms).
        MigrationModel m = Learners.byName("analytic")
                .train(
                        SyntheticMigrations.records(5, 1, Algorithm.PRECOPY),
                        FeatureSchema.subset(),
                        0,
                        Learner.Progress.NONE);
        double[] x = m.schema().extract(raw(1000, 50, 100));
        assertEquals(19_843.75, m.predict(Algorithm.PRECOPY, Target.TT, x), 1e-6);
        assertEquals(156.25, m.predict(Algorithm.PRECOPY, Target.DT, x), 1e-9);
        assertEquals(1984.375 * MB, m.predict(Algorithm.PRECOPY, Target.TD, x), 1e-3);
        assertEquals("analytic", m.learnerName());
    }

    @Test
    void transferRateIsCappedAtTheLink() {
        MigrationModel m = new AnalyticLearner()
                .train(
                        SyntheticMigrations.records(5, 1, Algorithm.POSTCOPY),
                        FeatureSchema.subset(),
                        0,
                        Learner.Progress.NONE);
        double[] x = m.schema().extract(raw(1000, 0, 150));
        assertEquals(8000.0, m.predict(Algorithm.POSTCOPY, Target.TT, x), 1e-9); // 1000 MB / 125 MB/s
        assertEquals(0.0, m.predict(Algorithm.POSTCOPY, Target.DT, x), 1e-9);
    }

    @Test
    void supportsTimeDowntimeAndDataOfTrainedAlgorithmsOnly() {
        MigrationModel m = new AnalyticLearner()
                .train(
                        SyntheticMigrations.records(5, 1, Algorithm.PRECOPY),
                        FeatureSchema.subset(),
                        0,
                        Learner.Progress.NONE);
        assertTrue(m.supports(Algorithm.PRECOPY, Target.TD));
        assertFalse(m.supports(Algorithm.PRECOPY, Target.CPU));
        assertFalse(m.supports(Algorithm.COMPRESS, Target.TT));
    }
}
