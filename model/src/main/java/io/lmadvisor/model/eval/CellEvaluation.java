package io.lmadvisor.model.eval;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;

/**
 * The errors of one (algorithm, target) cell.
 *
 * @param gMAE in the target's unit (ms, bytes, ...)
 * @param n    rows evaluated (including rows whose true value is 0, which relative errors skip)
 */
public record CellEvaluation(
        Algorithm algorithm, Target target, double gMRE, double gMAE, double medianRE, double p90RE, int n) {

    /** Whether negative predictions of this target are replaced by the smallest true value (TT and DT). */
    public static boolean replacesNegativePredictions(Target target) {
        return target == Target.TT || target == Target.DT;
    }

    /** Computes the cell's measures, replacing negative TT/DT predictions first. */
    public static CellEvaluation compute(Algorithm algorithm, Target target, double[] predicted, double[] actual) {
        double[] p = replacesNegativePredictions(target)
                ? ErrorMetrics.replaceNegativesWithMinActual(predicted, actual)
                : predicted;
        return new CellEvaluation(
                algorithm,
                target,
                ErrorMetrics.gMRE(p, actual),
                ErrorMetrics.gMAE(p, actual),
                ErrorMetrics.medianRE(p, actual),
                ErrorMetrics.p90RE(p, actual),
                actual.length);
    }
}
