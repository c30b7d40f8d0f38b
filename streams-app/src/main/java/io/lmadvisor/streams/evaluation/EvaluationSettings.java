package io.lmadvisor.streams.evaluation;

/**
 * How the online evaluation judges the model.
 *
 * @param windowOutcomes   outcomes per cell in the rolling window
 * @param driftFactor      MODEL_DRIFT is raised when a cell's window gMRE exceeds this multiple of the
 *                         model's own validation gMRE
 * @param driftMinOutcomes outcomes a cell's window needs before drift is judged at all
 */
public record EvaluationSettings(int windowOutcomes, double driftFactor, int driftMinOutcomes) {
    public static final EvaluationSettings DEFAULTS = new EvaluationSettings(200, 2.0, 30);

    public EvaluationSettings {
        if (windowOutcomes < 1 || driftMinOutcomes < 1) {
            throw new IllegalArgumentException("windowOutcomes and driftMinOutcomes must be at least 1");
        }
        if (!(driftFactor >= 1.0) || Double.isInfinite(driftFactor)) {
            throw new IllegalArgumentException("driftFactor must be a finite number >= 1, got " + driftFactor);
        }
    }
}
