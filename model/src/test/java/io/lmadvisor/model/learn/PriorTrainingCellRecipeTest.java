package io.lmadvisor.model.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code model train-prior --cell-param}: parsing, layering on --param/--aux-param, one-line errors. */
class PriorTrainingCellRecipeTest {
    static final Map<String, String> MAIN = Map.of("rounds", "60", "max_depth", "7", "eta", "0.15");
    static final Map<String, String> AUX = Map.of("rounds", "40", "max_depth", "7", "eta", "0.25");

    static Map<Integer, PriorTraining.CellRecipe> parse(String... specs) {
        return PriorTraining.CellRecipe.parse(List.of(specs), MAIN, AUX, 2);
    }

    @Test
    void overridesLayerOnTheParametersTheCellWouldOtherwiseGet() {
        var cells = parse("POST.TD:max_depth=9", "post.td:real_weight=3", "PRE.PERF:rounds=10", "POST.TT:eta=0.1");
        assertEquals(3, cells.size());
        var td = cells.get(CellIndex.of(Algorithm.POSTCOPY, Target.TD));
        assertEquals(9, td.learner().params().maxDepth());
        assertEquals(60, td.learner().params().rounds());
        assertEquals(0.15, td.learner().params().eta());
        assertEquals(3, td.realWeight());
        var tt = cells.get(CellIndex.of(Algorithm.POSTCOPY, Target.TT));
        assertEquals(0.1, tt.learner().params().eta());
        assertEquals(7, tt.learner().params().maxDepth());
        assertEquals(2, tt.realWeight());
        var perf = cells.get(CellIndex.of(Algorithm.PRECOPY, Target.PERF));
        assertEquals(10, perf.learner().params().rounds());
        assertEquals(0.25, perf.learner().params().eta(), "PERF/CPU/MEM start from --aux-param");
        // The last value for a key wins, as for repeated --param.
        assertEquals(
                8,
                parse("POST.TD:max_depth=9", "POST.TD:max_depth=8")
                        .get(CellIndex.of(Algorithm.POSTCOPY, Target.TD))
                        .learner()
                        .params()
                        .maxDepth());
        assertEquals(Map.of(), parse());
    }

    @Test
    void aBadSpecCellKeyOrValueIsNamedInOneLine() {
        assertError("--cell-param 'POST.TD' is not ALG.TARGET:key=value (e.g. POST.TD:max_depth=9)", "POST.TD");
        assertError("--cell-param 'POSTTD:max_depth=9' is not ALG.TARGET:key=value", "POSTTD:max_depth=9");
        assertError("--cell-param 'POST.TD:max_depth' is not ALG.TARGET:key=value", "POST.TD:max_depth");
        assertError("--cell-param 'FOO.TD:max_depth=9': unknown algorithm 'FOO'", "FOO.TD:max_depth=9");
        assertError("--cell-param 'POST.XX:max_depth=9': unknown target 'XX'", "POST.XX:max_depth=9");
        assertError("--cell-param for POST.TD: unknown gbt parameter 'depth'", "POST.TD:depth=9");
        assertError("--cell-param for POST.TD: a value is not a number", "POST.TD:max_depth=deep");
        assertError(
                "--cell-param for POST.TT: real_weight must be a whole number ≥ 1, not '0'", "POST.TT:real_weight=0");
    }

    static void assertError(String expectedStart, String spec) {
        var e = assertThrows(IllegalArgumentException.class, () -> parse(spec));
        assertEquals(
                expectedStart,
                e.getMessage()
                        .substring(
                                0,
                                Math.min(expectedStart.length(), e.getMessage().length())),
                e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line: " + e.getMessage());
    }
}
