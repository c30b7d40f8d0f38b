package io.lmadvisor.streams.evaluation;

/**
 * What one outcome says about one cell: a relative error, or for the risk cell whether the risk was
 * predicted and whether it happened. Keyed by cell on the way to the single aggregation task.
 *
 * @param endTimeMs      the migration's end, which orders the rolling window
 * @param relativeError  |1 − predicted/actual|, dimensionless; NaN for the risk cell
 * @param validationGmre the predicting model's hold-out gMRE for the cell, NaN when unknown
 */
public record OutcomeError(String migrationId, long endTimeMs, double relativeError, boolean riskPredicted,
                           boolean riskHappened, String modelVersion, double validationGmre) {
}
