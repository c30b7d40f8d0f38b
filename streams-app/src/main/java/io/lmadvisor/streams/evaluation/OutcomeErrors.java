package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * A matched outcome as per-cell errors, keyed by cell. Accuracy counts completed migrations only (a
 * failed or non-converged run measures something the model does not predict), every figure both
 * sides know, with the relative error as {@code ErrorMetrics} defines it: rows whose true value is 0
 * have none. Non-finite predictions (pre-copy predicted never to finish) are the risk cell's
 * business, not an error of +∞. The risk cell counts pre-copy runs that completed or did not converge.
 */
final class OutcomeErrors {
    private OutcomeErrors() {}

    static List<KeyValue<String, OutcomeError>> of(String vmId, MatchedOutcome m) {
        MigrationOutcome o = m.outcome();
        Algorithm algorithm = m.algorithm();
        long end = o.getEndTime().toEpochMilli();
        List<KeyValue<String, OutcomeError>> out = new ArrayList<>(Target.values().length + 1);
        if (o.getStatus() == MigrationStatus.COMPLETED) {
            double[] actual = Figures.measured(o);
            for (Target t : Target.values()) {
                double a = actual[t.ordinal()];
                double p = m.predicted()[t.ordinal()];
                if (Double.isFinite(p) && !Double.isNaN(a) && a != 0) {
                    out.add(KeyValue.pair(
                            Cells.key(algorithm, t),
                            new OutcomeError(
                                    o.getMigrationId(),
                                    end,
                                    Math.abs(1.0 - p / a),
                                    false,
                                    false,
                                    m.modelVersion(),
                                    m.validationGmre()[t.ordinal()])));
                }
            }
        }
        boolean happened = o.getStatus() == MigrationStatus.NON_CONVERGED;
        if (algorithm == Algorithm.PRECOPY && (happened || o.getStatus() == MigrationStatus.COMPLETED)) {
            out.add(KeyValue.pair(
                    Cells.PRECOPY_RISK_CELL,
                    new OutcomeError(
                            o.getMigrationId(),
                            end,
                            Double.NaN,
                            m.precopyRiskPredicted(),
                            happened,
                            m.modelVersion(),
                            Double.NaN)));
        }
        return out;
    }
}
