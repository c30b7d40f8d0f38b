package io.lmadvisor.streams;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.streams.deadletter.DeadLetterPublisher;
import io.lmadvisor.streams.deadletter.Validated;
import io.lmadvisor.streams.evaluation.EvaluationSettings;
import io.lmadvisor.streams.evaluation.EvaluationTopics;
import io.lmadvisor.streams.evaluation.EvaluationTopology;
import io.lmadvisor.streams.host.LatestValueUpdater;
import io.lmadvisor.streams.profile.ProfileWindowProcessor;
import io.lmadvisor.streams.profile.VmSampleTimestampExtractor;
import io.lmadvisor.streams.profile.VmWindowStateSerde;
import io.lmadvisor.streams.recommend.RecommendProcessor;
import io.lmadvisor.streams.risk.RiskHysteresis;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.streams.risk.RiskStateSerde;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The advisor: VM samples → 20 s profiles → recommendations and SLA risk events, with the latest
 * host samples and SLA policies in global stores so any instance can pick any destination; and the
 * online evaluation of its predictions against migration outcomes.
 */
public final class AdvisorTopology {
    public static final String WINDOW_STORE = "vm-windows";
    public static final String HOST_STORE = "host-state";
    public static final String POLICY_STORE = "sla-policies";
    public static final String RISK_STORE = "vm-risks";
    public static final String LATEST_PROFILE_STORE = "vm-latest-profiles";
    public static final String LATEST_RECOMMENDATION_STORE = "vm-latest-recommendations";

    /**
     * Window, grace, when a VM counts as silent, and how the online evaluation judges the model.
     *
     * @param wallClockClose close the windows of a quiet VM and flag silent agents by wall-clock time; a
     *                       backtest turns it off so its output depends on event time only
     * @param riskHysteresis when an open risk may clear
     */
    public record Settings(Duration window, Duration grace, int silentAfterWindows, EvaluationSettings evaluation,
                           boolean wallClockClose, RiskHysteresis riskHysteresis) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(20), Duration.ofSeconds(5), 3);

        /** The same settings with wall-clock closing off, for replays. */
        public Settings eventTimeOnly() {
            return new Settings(window, grace, silentAfterWindows, evaluation, false, riskHysteresis);
        }

        /** The same settings with another risk hysteresis. */
        public Settings withRiskHysteresis(RiskHysteresis hysteresis) {
            return new Settings(window, grace, silentAfterWindows, evaluation, wallClockClose, hysteresis);
        }

        public Settings(Duration window, Duration grace, int silentAfterWindows, EvaluationSettings evaluation,
                        boolean wallClockClose) {
            this(window, grace, silentAfterWindows, evaluation, wallClockClose, RiskHysteresis.DEFAULTS);
        }

        public Settings {
            if (window.isNegative() || window.isZero() || grace.isNegative() || silentAfterWindows < 1) {
                throw new IllegalArgumentException("window must be positive, grace non-negative, silentAfterWindows >= 1");
            }
            Objects.requireNonNull(evaluation, "evaluation");
            Objects.requireNonNull(riskHysteresis, "riskHysteresis");
        }

        public Settings(Duration window, Duration grace, int silentAfterWindows) {
            this(window, grace, silentAfterWindows, EvaluationSettings.DEFAULTS);
        }

        public Settings(Duration window, Duration grace, int silentAfterWindows, EvaluationSettings evaluation) {
            this(window, grace, silentAfterWindows, evaluation, true);
        }
    }

    private AdvisorTopology() {
    }

    /**
     * @param deadLetters where bad host samples and SLA policies go: Kafka Streams cannot dead-letter
     *                    global-store topics itself
     */
    public static Topology buildTopology(Settings settings, AdvisorSerdes serdes, Supplier<RecommendationEngine> engine,
                                         AdvisorMetrics metrics, DeadLetterPublisher deadLetters, String application) {
        return buildTopology(settings, TopicNames.live(), serdes, engine, metrics, deadLetters, application);
    }

    /** The same topology over another set of topics (a backtest's). */
    public static Topology buildTopology(Settings settings, TopicNames topics, AdvisorSerdes serdes,
                                         Supplier<RecommendationEngine> engine, AdvisorMetrics metrics,
                                         DeadLetterPublisher deadLetters, String application) {
        EvaluationTopics evaluationTopics = new EvaluationTopics(topics.vmProfiles(), topics.recommendations(),
                topics.migrationOutcomes(), topics.predictionEvaluations(), topics.trainingRows(), topics.riskEvents());
        // The evaluation's one-partition repartition topic needs the DSL, so the topology starts from a builder.
        Topology t = EvaluationTopology.addTo(new StreamsBuilder(), settings.evaluation(), evaluationTopics,
                serdes, engine, metrics, HOST_STORE).build();
        StringDeserializer keys = new StringDeserializer();
        StringSerializer keyOut = new StringSerializer();

        t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(HOST_STORE), Serdes.String(),
                                serdes.hostSample()).withLoggingDisabled(),
                "host-samples", keys, Validated.deserializer(serdes.hostSample().deserializer()), topics.hostSamples(),
                "host-state-updater", () -> new LatestValueUpdater<HostSample>(HOST_STORE, h -> h.getTimestamp().toEpochMilli(),
                        HostSample::getHostId, "hostId", false, deadLetters, application));
        t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(POLICY_STORE), Serdes.String(),
                                serdes.slaPolicy()).withLoggingDisabled(),
                "sla-policies", keys, Validated.deserializer(serdes.slaPolicy().deserializer()), topics.slaPolicies(),
                // Compacted topic: a tombstone removes the VM's policy, as documented for lm.sla-policies.
                "sla-policy-updater", () -> new LatestValueUpdater<>(POLICY_STORE, null, null, null, true, deadLetters,
                        application));

        t.addSource(Topology.AutoOffsetReset.EARLIEST, "vm-samples", new VmSampleTimestampExtractor(serdes.validator()), keys,
                serdes.vmSample().deserializer(), topics.vmSamples());
        t.addProcessor("profile-windows", () -> new ProfileWindowProcessor(settings.window(), settings.grace(),
                WINDOW_STORE, HOST_STORE, metrics, settings.wallClockClose(), serdes.validator()), "vm-samples");
        // Cached: a VM's state changes every second, and only the last value per commit need reach the changelog.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WINDOW_STORE), Serdes.String(),
                new VmWindowStateSerde()).withCachingEnabled(), "profile-windows");
        t.addSink("vm-profiles", topics.vmProfiles(), keyOut, serdes.vmProfile().serializer(), "profile-windows");

        Duration silentAfter = settings.window().multipliedBy(settings.silentAfterWindows());
        t.addProcessor("recommend", () -> new RecommendProcessor(engine, HOST_STORE, POLICY_STORE, RISK_STORE,
                LATEST_PROFILE_STORE, LATEST_RECOMMENDATION_STORE, silentAfter, metrics,
                settings.wallClockClose(), settings.riskHysteresis()), "profile-windows");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RISK_STORE), Serdes.String(),
                new RiskStateSerde()), "recommend");
        // Latest profile and recommendation per VM, for GET /vms/{id}.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LATEST_PROFILE_STORE), Serdes.String(),
                serdes.vmProfile()), "recommend");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LATEST_RECOMMENDATION_STORE),
                Serdes.String(), serdes.recommendation()), "recommend");
        t.addSink(RecommendProcessor.TO_RECOMMENDATIONS, topics.recommendations(), keyOut,
                cast(serdes.recommendation(), MigrationRecommendation.class), "recommend");
        t.addSink(RecommendProcessor.TO_RISKS, topics.riskEvents(), keyOut,
                cast(serdes.riskEvent(), SlaRiskEvent.class), "recommend");
        return t;
    }

    /** The recommend node forwards two record types; each sink serializes its own. */
    private static <T> Serializer<Object> cast(Serde<T> serde, Class<T> type) {
        Serializer<T> inner = serde.serializer();
        return (topic, value) -> inner.serialize(topic, type.cast(value));
    }
}
