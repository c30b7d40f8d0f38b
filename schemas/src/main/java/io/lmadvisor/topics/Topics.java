package io.lmadvisor.topics;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import java.util.List;
import java.util.Optional;

/** Topic names of the advisor, and their specs for topic creation. */
public final class Topics {

    public static final String VM_SAMPLES = "lm.vm-samples";
    public static final String HOST_SAMPLES = "lm.host-samples";
    /** Compacted: latest policy per VM. */
    public static final String SLA_POLICIES = "lm.sla-policies";

    public static final String VM_PROFILES = "lm.vm-profiles";
    public static final String MIGRATION_RECOMMENDATIONS = "lm.migration-recommendations";
    public static final String SLA_RISK_EVENTS = "lm.sla-risk-events";
    public static final String MIGRATION_OUTCOMES = "lm.migration-outcomes";
    /** Keyed by cell, {@code ALG.METRIC}; one partition keeps the figures in order. */
    public static final String PREDICTION_EVALUATIONS = "lm.prediction-evaluations";
    /**
     * Values are not Avro: one row of the model module's {@code csap} CSV (UTF-8, no header, no line
     * break), as {@code CsapWriter} writes it.
     */
    public static final String TRAINING_ROWS = "lm.training-rows";
    /** Continuous calibration's decisions (champion/challenger), keyed by the challenger's version. */
    public static final String MODEL_EVENTS = "lm.model-events";

    public static final String DEAD_LETTERS = "lm.dead-letters";

    /**
     * Partitions of every vmId-keyed topic. Equal counts keep them co-partitioned, which Kafka
     * Streams requires for joins without a repartition.
     */
    public static final int VM_KEYED_PARTITIONS = 6;

    private static final String VM_KEY = "vmId, UTF-8 string";

    private static final List<TopicSpec> ALL = List.of(
            new TopicSpec(VM_SAMPLES, VM_KEY, VmSample.class, false, VM_KEYED_PARTITIONS),
            new TopicSpec(HOST_SAMPLES, "hostId, UTF-8 string", HostSample.class, false, 3),
            new TopicSpec(
                    SLA_POLICIES,
                    VM_KEY + "; null value deletes the policy",
                    SlaPolicy.class,
                    true,
                    VM_KEYED_PARTITIONS),
            new TopicSpec(VM_PROFILES, VM_KEY, VmProfile.class, false, VM_KEYED_PARTITIONS),
            new TopicSpec(MIGRATION_RECOMMENDATIONS, VM_KEY, MigrationRecommendation.class, false, VM_KEYED_PARTITIONS),
            new TopicSpec(SLA_RISK_EVENTS, VM_KEY, SlaRiskEvent.class, false, VM_KEYED_PARTITIONS),
            new TopicSpec(MIGRATION_OUTCOMES, VM_KEY, MigrationOutcome.class, false, VM_KEYED_PARTITIONS),
            new TopicSpec(
                    PREDICTION_EVALUATIONS,
                    "cell ALG.METRIC (e.g. PRE.TT), UTF-8 string",
                    PredictionEvaluation.class,
                    false,
                    1),
            // A csap CSV row, not Avro: no registry subject.
            new TopicSpec(TRAINING_ROWS, VM_KEY, null, false, VM_KEYED_PARTITIONS),
            new TopicSpec(MODEL_EVENTS, "challenger model version, UTF-8 string", ModelEvent.class, false, 1),
            new TopicSpec(DEAD_LETTERS, "original record key bytes, may be null", DeadLetter.class, false, 1));

    private Topics() {}

    /** Every topic, in pipeline order. */
    public static List<TopicSpec> all() {
        return ALL;
    }

    /** The spec of a topic name, if it is one of ours. */
    public static Optional<TopicSpec> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
