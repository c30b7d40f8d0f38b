package io.lmadvisor.streams.evaluation;

import io.lmadvisor.streams.state.StateSerde;
import org.apache.kafka.common.serialization.Serde;

/**
 * What one outcome says about one cell: a relative error, or for the risk cell whether the risk was
 * predicted and whether it happened. Keyed by cell on the way to the single aggregation task.
 *
 * @param endTimeMs      the migration's end, which orders the rolling window
 * @param relativeError  |1 − predicted/actual|, dimensionless; NaN for the risk cell
 * @param validationGmre the predicting model's hold-out gMRE for the cell, NaN when unknown
 */
public record OutcomeError(
        String migrationId,
        long endTimeMs,
        double relativeError,
        boolean riskPredicted,
        boolean riskHappened,
        String modelVersion,
        double validationGmre) {

    /** The internal topic's format: Avro {@code io.lmadvisor.avro.state.OutcomeError}. */
    static Serde<OutcomeError> serde() {
        return StateSerde.of(
                io.lmadvisor.avro.state.OutcomeError.getClassSchema(),
                (OutcomeError e) -> new io.lmadvisor.avro.state.OutcomeError(
                        e.migrationId,
                        e.endTimeMs,
                        e.relativeError,
                        e.riskPredicted,
                        e.riskHappened,
                        e.modelVersion,
                        e.validationGmre),
                (io.lmadvisor.avro.state.OutcomeError r) -> new OutcomeError(
                        r.getMigrationId().toString(),
                        r.getEndTimeMs(),
                        r.getRelativeError(),
                        r.getRiskPredicted(),
                        r.getRiskHappened(),
                        r.getModelVersion().toString(),
                        r.getValidationGmre()));
    }
}
