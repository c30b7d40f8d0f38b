package io.lmadvisor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.evaluation.Cells;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The demo's closing evaluation figures: per algorithm TT/DT/TD gMRE and n, and the pre-copy risk's precision/recall. */
final class DemoEvaluationSummary {
    private static final Target[] SHOWN = {Target.TT, Target.DT, Target.TD};

    private final AdvisorMetrics metrics;
    private final Map<String, PredictionEvaluation> figures;

    DemoEvaluationSummary(AdvisorMetrics metrics) {
        this.metrics = metrics;
        this.figures = new TreeMap<>(metrics.evaluations);
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        long evaluated = metrics.outcomes.sum() - metrics.outcomesUnmatched.sum();
        out.add(String.format(
                Locale.ROOT,
                "evaluation: %d outcomes matched with their advice (%d rescored for an off-policy "
                        + "destination or bandwidth, %d without a profile before their start), %d training rows",
                evaluated,
                metrics.outcomesRescored.sum(),
                metrics.outcomesUnmatched.sum(),
                metrics.trainingRows.sum()));
        for (Algorithm a : Algorithm.values()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-4s", a.shortName()));
            boolean any = false;
            for (Target t : SHOWN) {
                PredictionEvaluation e = figures.get(Cells.key(a, t));
                if (e != null) {
                    any = true;
                    line.append(String.format(
                            Locale.ROOT,
                            "  %s gMRE %s (n %d)",
                            t.name(),
                            format(e.getSinceStartGmre()),
                            e.getSinceStartN()));
                }
            }
            out.add(any ? line.toString() : line + "  no completed migrations");
        }
        PredictionEvaluation risk = figures.get(Cells.PRECOPY_RISK_CELL);
        out.add(
                risk == null
                        ? "  PRECOPY_NON_CONVERGENT: no pre-copy migrations"
                        : String.format(
                                Locale.ROOT,
                                "  PRECOPY_NON_CONVERGENT over %d pre-copy migration%s: precision %s (%d predicted), recall %s (%d happened)",
                                risk.getSinceStartN(),
                                risk.getSinceStartN() == 1 ? "" : "s",
                                format(risk.getRiskPrecision()),
                                risk.getRiskPredictedN(),
                                format(risk.getRiskRecall()),
                                risk.getRiskHappenedN()));
        return out;
    }

    /** One JSON object: the run's counts and every cell's figures as published on lm.prediction-evaluations. */
    String json(long seconds, long samples, long recommendations, long riskEvents, long executed) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode summary = nodes.objectNode();
        summary.put("seconds", seconds);
        summary.put("samplesPublished", samples);
        summary.put("recommendations", recommendations);
        summary.put("riskEvents", riskEvents);
        summary.put("migrationsExecuted", executed);
        summary.put("outcomesEvaluated", metrics.outcomes.sum() - metrics.outcomesUnmatched.sum());
        summary.put("outcomesRescored", metrics.outcomesRescored.sum());
        summary.put("trainingRows", metrics.trainingRows.sum());
        ArrayNode cells = summary.putArray("evaluation");
        figures.forEach((cell, e) -> {
            ObjectNode n = nodes.objectNode();
            n.put("cell", cell);
            n.setAll((ObjectNode) AvroJson.toJson(e));
            cells.add(n);
        });
        ObjectNode out = nodes.objectNode();
        out.set("summary", summary);
        return AvroJson.write(out);
    }

    private static String format(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
