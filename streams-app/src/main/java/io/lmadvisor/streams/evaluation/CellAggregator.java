package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskTransition;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.streams.AdvisorMetrics;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds per-outcome errors into their cell's {@link CellAccumulator} and emits the cell's figures
 * after every outcome, plus MODEL_DRIFT transitions. Runs on the single partition of the errors
 * topic, so the figures are global.
 */
final class CellAggregator implements Processor<String, OutcomeError, String, CellUpdate> {
    /** Key (and vmId) of a cell's drift events, e.g. {@code model:PRE.TT}. */
    static final String DRIFT_KEY_PREFIX = "model:";

    private final EvaluationSettings settings;
    private final DriftDetector drift;
    private final AdvisorMetrics metrics;
    private ProcessorContext<String, CellUpdate> context;
    private KeyValueStore<String, CellAccumulator> cells;

    CellAggregator(EvaluationSettings settings, AdvisorMetrics metrics) {
        this.settings = settings;
        this.drift = new DriftDetector(settings);
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, CellUpdate> context) {
        this.context = context;
        cells = context.getStateStore(EvaluationTopology.CELL_STORE);
    }

    @Override
    public void process(Record<String, OutcomeError> record) {
        String cell = record.key();
        if (cell == null || record.value() == null) {
            return;
        }
        CellAccumulator acc = cells.get(cell);
        if (acc == null) {
            acc = new CellAccumulator();
        }
        if (!acc.add(record.value(), settings.windowOutcomes())) {
            metrics.outcomesDuplicate.increment();
            return;
        }
        SlaRiskEvent event = null;
        if (!Cells.isRisk(cell)) {
            double gmre = acc.windowGmre();
            SlaRiskTransition t = drift.next(acc.driftOpen, gmre, acc.window.size(), acc.validationGmre);
            if (t != null) {
                acc.driftOpen = t == SlaRiskTransition.RAISED;
                event = driftEvent(cell, t, gmre, acc);
                metrics.riskEvents.increment();
            }
        }
        cells.put(cell, acc);
        PredictionEvaluation figures = acc.toEvaluation(cell);
        metrics.evaluations.put(cell, figures);
        context.forward(record.withValue(new CellUpdate(figures, event)));
    }

    private SlaRiskEvent driftEvent(String cell, SlaRiskTransition t, double gmre, CellAccumulator acc) {
        double threshold = drift.raiseAbove(acc.validationGmre);
        String message = String.format(
                Locale.ROOT,
                "%s: gMRE %.3f over the last %d outcomes %s %.1f x the model's validation gMRE %.3f",
                cell,
                gmre,
                acc.window.size(),
                t == SlaRiskTransition.RAISED ? "exceeds" : "is back under",
                t == SlaRiskTransition.RAISED
                        ? settings.driftFactor()
                        : DriftDetector.CLEAR_SHARE * settings.driftFactor(),
                acc.validationGmre);
        return SlaRiskEvent.newBuilder()
                .setVmId(DRIFT_KEY_PREFIX + cell)
                .setHostId(null)
                .setRiskType(SlaRiskType.MODEL_DRIFT)
                .setTransition(t)
                .setSeverity(SlaRiskSeverity.WARNING)
                .setTimestamp(Instant.ofEpochMilli(acc.updatedAtMs))
                .setMessage(message)
                .setMetric("gMRE." + cell)
                .setPredictedValue(gmre)
                .setLimitValue(threshold)
                .setModelVersion(acc.modelVersion)
                .build();
    }
}
