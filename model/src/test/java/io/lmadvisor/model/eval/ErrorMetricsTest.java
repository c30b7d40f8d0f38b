package io.lmadvisor.model.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import org.junit.jupiter.api.Test;

class ErrorMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void geometricMeansSkipExactHits() {
        double[] actual = {100, 100, 300};
        double[] predicted = {110, 50, 300};
        // Relative errors 0.1, 0.5, 0 → gMRE = sqrt(0.1 × 0.5); absolute 10, 50, 0 → sqrt(500).
        assertEquals(Math.sqrt(0.05), ErrorMetrics.gMRE(predicted, actual), EPS);
        assertEquals(Math.sqrt(500), ErrorMetrics.gMAE(predicted, actual), EPS);
        // The exact hit still counts in the percentiles: sorted 0, 0.1, 0.5.
        assertEquals(0.1, ErrorMetrics.medianRE(predicted, actual), EPS);
        assertEquals(0.1 + 0.8 * 0.4, ErrorMetrics.p90RE(predicted, actual), EPS); // position 1.8
    }

    @Test
    void zeroTruthHasNoRelativeError() {
        double[] actual = {0, 100};
        double[] predicted = {5, 150};
        assertArrayEquals(new double[] {0.5}, ErrorMetrics.relativeErrors(predicted, actual));
        assertEquals(0.5, ErrorMetrics.gMRE(predicted, actual), EPS);
        assertEquals(Math.sqrt(5 * 50), ErrorMetrics.gMAE(predicted, actual), EPS);
        assertEquals(0.5, ErrorMetrics.medianRE(predicted, actual), EPS);
    }

    @Test
    void perfectPredictionsHaveNoGeometricMean() {
        double[] y = {1, 2, 3};
        assertTrue(Double.isNaN(ErrorMetrics.gMRE(y, y)));
        assertEquals(0.0, ErrorMetrics.medianRE(y, y));
    }

    @Test
    void negativeTimePredictionBecomesTheSmallestTrueValue() {
        double[] actual = {100, 200};
        double[] predicted = {-5, 220};
        CellEvaluation tt = CellEvaluation.compute(Algorithm.PRECOPY, Target.TT, predicted, actual);
        // −5 → 100: errors 0 (skipped) and 0.1.
        assertEquals(0.1, tt.gMRE(), EPS);
        assertEquals(20.0, tt.gMAE(), EPS);
        assertEquals(0.05, tt.medianRE(), EPS);
        assertEquals(2, tt.n());
        CellEvaluation dt = CellEvaluation.compute(Algorithm.PRECOPY, Target.DT, predicted, actual);
        assertEquals(0.1, dt.gMRE(), EPS);
        // Transferred data is scored as predicted: |1 − (−5/100)| = 1.05.
        CellEvaluation td = CellEvaluation.compute(Algorithm.PRECOPY, Target.TD, predicted, actual);
        assertEquals(Math.sqrt(1.05 * 0.1), td.gMRE(), EPS);
        // The caller's array is not modified.
        assertEquals(-5, predicted[0]);
    }

    @Test
    void nanPredictionPoisonsTheCell() {
        double[] actual = {100, 200};
        double[] predicted = {Double.NaN, 220};
        assertTrue(Double.isNaN(ErrorMetrics.gMRE(predicted, actual)));
        assertTrue(Double.isNaN(ErrorMetrics.gMAE(predicted, actual)));
        assertTrue(Double.isNaN(ErrorMetrics.p90RE(predicted, actual)));
    }

    @Test
    void percentileInterpolatesLinearly() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertEquals(3, ErrorMetrics.percentile(sorted, 0.5), EPS);
        assertEquals(4.6, ErrorMetrics.percentile(sorted, 0.9), EPS);
        assertEquals(7, ErrorMetrics.percentile(new double[] {7}, 0.9), EPS);
        assertTrue(Double.isNaN(ErrorMetrics.percentile(new double[0], 0.5)));
    }
}
