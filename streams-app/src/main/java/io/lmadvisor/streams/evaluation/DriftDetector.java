package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.SlaRiskTransition;

/**
 * MODEL_DRIFT for one cell: raised when the window gMRE, over at least the minimum number of
 * outcomes, exceeds the drift factor times the model's own validation gMRE; cleared only once it is
 * back below {@link #CLEAR_SHARE} of that threshold, so a cell hovering at it does not flap.
 */
final class DriftDetector {
    static final double CLEAR_SHARE = 0.8;

    private final EvaluationSettings settings;

    DriftDetector(EvaluationSettings settings) {
        this.settings = settings;
    }

    /** The threshold a cell's window gMRE is judged against; NaN when the model has no validation figure. */
    double raiseAbove(double validationGmre) {
        return validationGmre > 0 ? settings.driftFactor() * validationGmre : Double.NaN;
    }

    /** The transition the cell's figures call for, or null for none. */
    SlaRiskTransition next(boolean open, double windowGmre, int windowN, double validationGmre) {
        double threshold = raiseAbove(validationGmre);
        if (Double.isNaN(threshold) || Double.isNaN(windowGmre)) {
            return null;
        }
        if (!open && windowN >= settings.driftMinOutcomes() && windowGmre > threshold) {
            return SlaRiskTransition.RAISED;
        }
        if (open && windowGmre <= CLEAR_SHARE * threshold) {
            return SlaRiskTransition.CLEARED;
        }
        return null;
    }
}
