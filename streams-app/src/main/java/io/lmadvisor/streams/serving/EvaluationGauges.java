package io.lmadvisor.streams.serving;

import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.streams.evaluation.Cells;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Function;

/**
 * Prometheus gauges of the online evaluation, one series per cell and scope, e.g.
 * {@code lm_evaluation_gmre{algorithm="PRE",metric="TT",scope="window"}}. NaN until the cell has
 * figures, and on every instance but the one that aggregates them.
 */
final class EvaluationGauges {
    private EvaluationGauges() {}

    static void register(MeterRegistry registry, Map<String, PredictionEvaluation> figures) {
        for (Algorithm a : Algorithm.values()) {
            for (Target t : Target.values()) {
                String cell = Cells.key(a, t);
                gauge(registry, figures, "lm_evaluation_gmre", cell, "window", PredictionEvaluation::getWindowGmre);
                gauge(
                        registry,
                        figures,
                        "lm_evaluation_gmre",
                        cell,
                        "since_start",
                        PredictionEvaluation::getSinceStartGmre);
                gauge(
                        registry,
                        figures,
                        "lm_evaluation_median_re",
                        cell,
                        "window",
                        PredictionEvaluation::getWindowMedianRe);
                gauge(registry, figures, "lm_evaluation_p90_re", cell, "window", PredictionEvaluation::getWindowP90Re);
                gauge(registry, figures, "lm_evaluation_n", cell, "window", e -> (double) e.getWindowN());
                gauge(registry, figures, "lm_evaluation_n", cell, "since_start", e -> (double) e.getSinceStartN());
                gauge(
                        registry,
                        figures,
                        "lm_evaluation_validation_gmre",
                        cell,
                        "model",
                        PredictionEvaluation::getValidationGmre);
            }
        }
        String risk = Cells.PRECOPY_RISK_CELL;
        gauge(
                registry,
                figures,
                "lm_evaluation_risk_precision",
                risk,
                "since_start",
                PredictionEvaluation::getRiskPrecision);
        gauge(registry, figures, "lm_evaluation_risk_recall", risk, "since_start", PredictionEvaluation::getRiskRecall);
        gauge(registry, figures, "lm_evaluation_n", risk, "since_start", e -> (double) e.getSinceStartN());
    }

    private static void gauge(
            MeterRegistry registry,
            Map<String, PredictionEvaluation> figures,
            String name,
            String cell,
            String scope,
            Function<PredictionEvaluation, Double> value) {
        Gauge.builder(name, figures, m -> {
                    PredictionEvaluation e = m.get(cell);
                    Double v = e == null ? null : value.apply(e);
                    return v == null ? Double.NaN : v;
                })
                .tag("algorithm", Cells.algorithm(cell).shortName())
                .tag("metric", Cells.metric(cell))
                .tag("scope", scope)
                .register(registry);
    }
}
