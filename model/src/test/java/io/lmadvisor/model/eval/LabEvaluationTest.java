package io.lmadvisor.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.DatasetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Six workloads (VM size 100..600 MB), PRE and POST each: real TT = size × 10 (PRE) and size × 20 (POST).
 * The prior is 4× too slow for PRE; the "calibration" learns the factor from whatever rows it is given.
 */
class LabEvaluationTest {
    private static final Set<Target> TT_DT = EnumSet.of(Target.TT, Target.DT);

    private static List<MigrationRecord> lab() {
        List<MigrationRecord> rows = new ArrayList<>();
        for (int w = 1; w <= 6; w++) {
            rows.add(Stubs.record(w + ":1", Algorithm.PRECOPY, 100 * w, 1000 * w, 10));
            rows.add(Stubs.record(w + ":2", Algorithm.POSTCOPY, 100 * w, 2000 * w, 1));
        }
        return rows;
    }

    private static final io.lmadvisor.model.learn.MigrationModel PRIOR = Stubs.model(
            EnumSet.allOf(Algorithm.class),
            TT_DT,
            (a, t, x) -> t == Target.TT ? x[0] * (a == Algorithm.PRECOPY ? 40 : 20) : 5);

    @Test
    void holdsOutWholeWorkloadsAndReportsPriorCalibratedBaselineAndChoice() {
        List<Integer> seen = new ArrayList<>();
        Map<String, String> workloads = new HashMap<>();
        LabEvaluation.Calibrator fit = (train, seed) -> {
            seen.add(train.size());
            return Stubs.model(
                    EnumSet.allOf(Algorithm.class),
                    TT_DT,
                    (a, t, x) -> t == Target.TT ? x[0] * (a == Algorithm.PRECOPY ? 10.5 : 21) : 5); // 5 % off
        };
        LabEvaluation.Result r = LabEvaluation.run(
                PRIOR, fit, lab(), workloads, new LabEvaluation.Options(0, new int[] {4}, 2, 1), m -> {});
        assertEquals(6, r.workloads());
        assertEquals(6, r.folds());
        // leave one workload out: 10 training rows per fold, plus two samples of 4 for the curve point
        assertEquals(6 * 3, seen.size());
        assertTrue(seen.stream().allMatch(n -> n == 10 || n == 4), seen.toString());
        LabEvaluation.Cell pre = r.cell(Algorithm.PRECOPY, Target.TT);
        assertEquals(3.0, pre.prior(), 1e-9); // 40 per MB predicted, 10 real
        assertEquals(0.05, pre.calibrated(), 1e-9);
        assertEquals(0.05, pre.curve().get(4), 1e-9);
        assertTrue(pre.met());
        assertTrue(Double.isNaN(pre.baseline()), "TT has no baseline target");
        // the prior picks POST (20 < 40 per MB), the real best is PRE: the calibrated model fixes the choice
        assertEquals(6, r.choices().size());
        assertEquals(1.0, r.choiceRate(), 1e-9);
        assertEquals(0.0, r.priorChoiceRate(), 1e-9);
    }

    @Test
    void kFoldsOfWorkloadsKeepEachWorkloadsRunsTogether() {
        AtomicInteger calls = new AtomicInteger();
        LabEvaluation.Calibrator fit = (train, seed) -> {
            calls.incrementAndGet();
            // both runs of a workload are always on the same side
            Set<String> seeds = new java.util.HashSet<>();
            train.forEach(x -> seeds.add(x.id().split(":")[0]));
            assertEquals(2 * seeds.size(), train.size());
            return PRIOR;
        };
        LabEvaluation.Result r =
                LabEvaluation.run(PRIOR, fit, lab(), Map.of(), new LabEvaluation.Options(3, new int[0], 1, 1), m -> {});
        assertEquals(3, r.folds());
        assertEquals(3, calls.get());
        assertEquals(
                12,
                r.cells().stream()
                        .filter(c -> c.target() == Target.TT)
                        .mapToInt(LabEvaluation.Cell::n)
                        .sum());
    }

    @Test
    void readsWorkloadsFromTheMetaAndNamesTheFileOnBadLines(@TempDir Path dir) throws Exception {
        Path meta = dir.resolve("runs-meta.jsonl");
        Files.writeString(meta, "{\"seed\":1,\"sequence\":2,\"workload\":\"hot16\"}\n\n{\"seed\":3,\"sequence\":1}\n");
        Map<String, String> w = LabEvaluation.readWorkloads(meta);
        assertEquals("hot16", w.get("1:2"));
        assertEquals("seed-3", w.get("3:1"));
        Files.writeString(meta, "{\"seed\":1,\"sequence\":2}\nnot json\n");
        DatasetException e = assertThrows(DatasetException.class, () -> LabEvaluation.readWorkloads(meta));
        assertTrue(e.getMessage().contains("runs-meta.jsonl") && e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void theBaselineIsTheTrainingMedianPerAlgorithm() {
        List<MigrationRecord> train = lab();
        LabEvaluation.ConstantModel m = LabEvaluation.ConstantModel.medianOf(train, Stubs.SIZE_ONLY);
        assertEquals(3500, m.predict(Algorithm.PRECOPY, Target.TT, new double[] {1}), 1e-9);
        assertEquals(7000, m.predict(Algorithm.POSTCOPY, Target.TT, new double[] {1}), 1e-9);
        assertFalse(m.supports(Algorithm.XBZRLE, Target.TT));
    }
}
