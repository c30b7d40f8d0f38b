package io.lmadvisor.streams.evaluation;

import io.lmadvisor.topics.Topics;

import java.util.Objects;

/**
 * The topics the evaluation reads and writes, in one place so a replay (backtest) can point it at
 * prefixed copies instead of the live ones.
 */
public record EvaluationTopics(String profiles, String recommendations, String outcomes, String evaluations,
                               String trainingRows, String riskEvents) {
    public static final EvaluationTopics DEFAULTS = new EvaluationTopics(Topics.VM_PROFILES,
            Topics.MIGRATION_RECOMMENDATIONS, Topics.MIGRATION_OUTCOMES, Topics.PREDICTION_EVALUATIONS,
            Topics.TRAINING_ROWS, Topics.SLA_RISK_EVENTS);

    public EvaluationTopics {
        Objects.requireNonNull(profiles, "profiles");
        Objects.requireNonNull(recommendations, "recommendations");
        Objects.requireNonNull(outcomes, "outcomes");
        Objects.requireNonNull(evaluations, "evaluations");
        Objects.requireNonNull(trainingRows, "trainingRows");
        Objects.requireNonNull(riskEvents, "riskEvents");
    }
}
