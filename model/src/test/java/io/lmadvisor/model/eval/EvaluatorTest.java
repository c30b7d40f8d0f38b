package io.lmadvisor.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    @Test
    void oneRowPerPresentAndSupportedCellInEnumOrder() {
        List<MigrationRecord> records = List.of(
                Stubs.record("a", Algorithm.POSTCOPY, 1000, 5000, 4),
                Stubs.record("b", Algorithm.PRECOPY, 2000, 8000, 300),
                Stubs.record("c", Algorithm.PRECOPY, 3000, 9000, Double.NaN), // DT not recorded
                Stubs.record("d", Algorithm.XBZRLE, 1500, 7000, 200), // not supported
                Stubs.record("e", Algorithm.POSTCOPY, 4000, 10000, 6));
        // TT = 5 ms per MB, DT = 0.1 ms per MB; TD is supported but never present.
        MigrationModel model = Stubs.model(
                EnumSet.of(Algorithm.PRECOPY, Algorithm.POSTCOPY),
                EnumSet.of(Target.TT, Target.DT, Target.TD),
                (a, t, x) -> t == Target.TT ? 5 * x[0] : 0.1 * x[0]);

        EvaluationReport report = Evaluator.evaluate("stub-model", model, records);
        assertEquals("stub-model", report.modelName());
        assertEquals(
                List.of("PRE/TT", "PRE/DT", "POST/TT", "POST/DT"),
                report.cells().stream()
                        .map(c -> c.algorithm().shortName() + "/" + c.target().name())
                        .toList());

        CellEvaluation preTt = report.cell(Algorithm.PRECOPY, Target.TT).orElseThrow();
        // Predictions 10000 and 15000 against 8000 and 9000.
        assertEquals(2, preTt.n());
        assertEquals(Math.sqrt(0.25 * (6000.0 / 9000.0)), preTt.gMRE(), 1e-12);
        assertEquals(Math.sqrt(2000.0 * 6000.0), preTt.gMAE(), 1e-9);

        CellEvaluation preDt = report.cell(Algorithm.PRECOPY, Target.DT).orElseThrow();
        assertEquals(1, preDt.n());
        assertEquals(Math.abs(1 - 200.0 / 300.0), preDt.gMRE(), 1e-12);

        CellEvaluation postDt = report.cell(Algorithm.POSTCOPY, Target.DT).orElseThrow();
        // Predictions 100 and 400 against 4 and 6.
        assertEquals(Math.sqrt((100.0 / 4 - 1) * (400.0 / 6 - 1)), postDt.gMRE(), 1e-9);
        assertTrue(report.cell(Algorithm.XBZRLE, Target.TT).isEmpty());
    }

    @Test
    void negativeTimePredictionsUseTheCellsSmallestTruth() {
        List<MigrationRecord> records = List.of(
                Stubs.record("a", Algorithm.PRECOPY, 1, 5000, 300),
                Stubs.record("b", Algorithm.PRECOPY, 2, 8000, 200),
                Stubs.record("c", Algorithm.COMPRESS, 3, 100, 1));
        // Predicts −1 for the first record's TT, exact elsewhere.
        MigrationModel model = Stubs.model(
                EnumSet.allOf(Algorithm.class),
                EnumSet.of(Target.TT),
                (a, t, x) -> x[0] == 1 ? -1 : (x[0] == 2 ? 8000 : 100));
        CellEvaluation tt = Evaluator.evaluate("m", model, records)
                .cell(Algorithm.PRECOPY, Target.TT)
                .orElseThrow();
        // −1 → 5000 (the smallest PRE TT, not COMPRESS's 100): both rows exact.
        assertEquals(0.0, tt.p90RE());
        assertTrue(Double.isNaN(tt.gMRE()));
    }
}
