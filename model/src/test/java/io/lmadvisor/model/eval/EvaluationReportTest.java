package io.lmadvisor.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {
    @Test
    void csvHasTheAgreedHeaderAndShortNames() {
        EvaluationReport r = new EvaluationReport(
                "gbt",
                List.of(
                        new CellEvaluation(
                                Algorithm.AUTO_CONVERGE, Target.TD, 0.123456, 123456789.0, 0.1, 0.98765, 3641),
                        new CellEvaluation(Algorithm.POSTCOPY, Target.DT, Double.NaN, 2.5, 0, 1, 7)));
        String[] lines = r.toCsv().split("\n");
        assertEquals("model,algorithm,metric,gMRE,gMAE,medianRE,p90RE,n", lines[0]);
        assertEquals("gbt,THR,TD,0.1235,1.235e+08,0.1000,0.9877,3641", lines[1]);
        assertEquals("gbt,POST,DT,NaN,2.500,0.0000,1.0000,7", lines[2]);
        assertEquals(3, lines.length);
    }

    @Test
    void modelNamesWithCommasAreQuoted() {
        EvaluationReport r = new EvaluationReport(
                "svr,bagging", List.of(new CellEvaluation(Algorithm.PRECOPY, Target.TT, 0.5, 10, 0.5, 0.5, 1)));
        assertTrue(r.toCsv().split("\n")[1].startsWith("\"svr,bagging\",PRE,TT,"));
    }

    @Test
    void markdownIsATable() {
        EvaluationReport r = new EvaluationReport(
                "analytic", List.of(new CellEvaluation(Algorithm.XBZRLE, Target.TT, 0.25, 1000, 0.2, 0.6, 10)));
        String[] lines = r.toMarkdown().split("\n");
        assertEquals("| model | algorithm | metric | gMRE | gMAE | medianRE | p90RE | n |", lines[0]);
        assertTrue(lines[1].startsWith("|---"));
        assertEquals("| analytic | DLTC | TT | 0.2500 | 1000 | 0.2000 | 0.6000 | 10 |", lines[2]);
    }
}
