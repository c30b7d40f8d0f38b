package io.lmadvisor.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    /**
     * A learner that gives itself away: it predicts 2× the truth for rows it trained on and 1.1× for
     * unseen rows. Pooled out-of-fold scoring must therefore see a relative error of exactly 0.1.
     */
    static final class LeakDetectingLearner implements Learner {
        final List<Integer> trainSizes = new ArrayList<>();

        @Override
        public String name() {
            return "leak-detector";
        }

        @Override
        public MigrationModel train(List<MigrationRecord> records, FeatureSchema schema, long seed, Progress progress) {
            trainSizes.add(records.size());
            progress.report("fitted");
            Set<Double> seen = new HashSet<>();
            for (MigrationRecord r : records) {
                seen.add(r.raw(RawFeature.VM_SIZE));
            }
            // Truth is TT = 3 ms per MB of VM size.
            return Stubs.model(
                    EnumSet.allOf(Algorithm.class),
                    EnumSet.of(Target.TT),
                    (a, t, x) -> 3 * x[0] * (seen.contains(x[0]) ? 2.0 : 1.1));
        }
    }

    @Test
    void scoresPooledOutOfFoldPredictions() {
        List<MigrationRecord> records = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
            double size = 100 + i;
            records.add(Stubs.record("r" + i, i < 60 ? Algorithm.PRECOPY : Algorithm.POSTCOPY, size, 3 * size, 1));
        }
        LeakDetectingLearner learner = new LeakDetectingLearner();
        List<String> progress = new ArrayList<>();
        EvaluationReport report = CrossValidation.run(learner, records, Stubs.SIZE_ONLY, 10, 11, progress::add);

        assertEquals("leak-detector", report.modelName());
        assertEquals(2, report.cells().size());
        CellEvaluation pre = report.cell(Algorithm.PRECOPY, Target.TT).orElseThrow();
        CellEvaluation post = report.cell(Algorithm.POSTCOPY, Target.TT).orElseThrow();
        assertEquals(60, pre.n());
        assertEquals(35, post.n());
        for (CellEvaluation c : List.of(pre, post)) {
            assertEquals(0.1, c.gMRE(), 1e-9);
            assertEquals(0.1, c.p90RE(), 1e-9);
        }
        // Ten models, each without its own ~9.5 rows.
        assertEquals(10, learner.trainSizes.size());
        assertEquals(
                95 * 9, learner.trainSizes.stream().mapToInt(Integer::intValue).sum());
        // Per fold: a start line, the learner's own line (prefixed), a finish line.
        assertEquals(30, progress.size());
        assertTrue(progress.contains("fold 3/10: fitted"), progress.toString());
        assertTrue(progress.get(0).startsWith("fold 1/10: training leak-detector on "), progress.get(0));
    }
}
