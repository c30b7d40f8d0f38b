package io.lmadvisor.streams;

import io.lmadvisor.topics.Topics;

/**
 * The topics one advisor run reads and writes. The live application uses {@link #live()}; a backtest
 * uses {@link #prefixed} so that it never reads or writes a live topic.
 */
public record TopicNames(String vmSamples, String hostSamples, String slaPolicies, String vmProfiles,
                         String recommendations, String riskEvents, String migrationOutcomes,
                         String predictionEvaluations, String trainingRows, String deadLetters) {
    /** Config key the dead-letter handler reads (Kafka Streams builds it by class name). */
    public static final String DEAD_LETTER_TOPIC_CONFIG = "lm.dead.letter.topic";
    private static final String LIVE_PREFIX = "lm.";

    public static TopicNames live() {
        return new TopicNames(Topics.VM_SAMPLES, Topics.HOST_SAMPLES, Topics.SLA_POLICIES, Topics.VM_PROFILES,
                Topics.MIGRATION_RECOMMENDATIONS, Topics.SLA_RISK_EVENTS, Topics.MIGRATION_OUTCOMES,
                Topics.PREDICTION_EVALUATIONS, Topics.TRAINING_ROWS, Topics.DEAD_LETTERS);
    }

    /** Every live name with its {@code lm.} replaced by {@code prefix}, e.g. {@code lm.backtest.r1.vm-samples}. */
    public static TopicNames prefixed(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.equals(LIVE_PREFIX)) {
            throw new IllegalArgumentException("a topic prefix other than '" + LIVE_PREFIX + "' is required");
        }
        TopicNames l = live();
        return new TopicNames(swap(l.vmSamples, prefix), swap(l.hostSamples, prefix), swap(l.slaPolicies, prefix),
                swap(l.vmProfiles, prefix), swap(l.recommendations, prefix), swap(l.riskEvents, prefix),
                swap(l.migrationOutcomes, prefix), swap(l.predictionEvaluations, prefix), swap(l.trainingRows, prefix),
                swap(l.deadLetters, prefix));
    }

    /** The name of {@code liveTopic} in this set, for topic creation from {@link Topics#all()}. */
    public String of(String liveTopic) {
        TopicNames l = live();
        String[] live = l.asArray();
        String[] mine = asArray();
        for (int i = 0; i < live.length; i++) {
            if (live[i].equals(liveTopic)) {
                return mine[i];
            }
        }
        throw new IllegalArgumentException("not an advisor topic: " + liveTopic);
    }

    private String[] asArray() {
        return new String[] {vmSamples, hostSamples, slaPolicies, vmProfiles, recommendations, riskEvents,
                migrationOutcomes, predictionEvaluations, trainingRows, deadLetters};
    }

    private static String swap(String liveName, String prefix) {
        return prefix + liveName.substring(LIVE_PREFIX.length());
    }
}
