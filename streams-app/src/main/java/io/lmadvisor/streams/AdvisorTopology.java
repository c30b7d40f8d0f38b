package io.lmadvisor.streams;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.streams.deadletter.DeadLetterPublisher;
import io.lmadvisor.streams.deadletter.Validated;
import io.lmadvisor.streams.evaluation.EvaluationSettings;
import io.lmadvisor.streams.evaluation.EvaluationTopology;
import io.lmadvisor.streams.host.ChangeCountingStore;
import io.lmadvisor.streams.host.DecodedCacheSerde;
import io.lmadvisor.streams.host.LatestValueUpdater;
import io.lmadvisor.streams.profile.ProfileWindowProcessor;
import io.lmadvisor.streams.profile.VmSampleTimestampExtractor;
import io.lmadvisor.streams.recommend.Decision;
import io.lmadvisor.streams.recommend.RecommendProcessor;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.streams.risk.RiskHysteresis;
import io.lmadvisor.streams.risk.RiskProcessor;
import io.lmadvisor.topics.TopicSet;
import io.lmadvisor.topics.Topics;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The advisor: VM samples → 20 s profiles → recommendations and SLA risk events, with the latest
 * host samples and SLA policies in global stores so any instance can pick any destination; and the
 * online evaluation of its predictions against migration outcomes.
 */
public final class AdvisorTopology {
    // Store names are their changelog topics' and the HTTP server's queries': renaming one loses its state.
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
    public record Settings(
            Duration window,
            Duration grace,
            int silentAfterWindows,
            EvaluationSettings evaluation,
            boolean wallClockClose,
            RiskHysteresis riskHysteresis) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(20), Duration.ofSeconds(5), 3);

        /** The same settings with wall-clock closing off, for replays. */
        public Settings eventTimeOnly() {
            return new Settings(window, grace, silentAfterWindows, evaluation, false, riskHysteresis);
        }

        /** The same settings with another risk hysteresis. */
        public Settings withRiskHysteresis(RiskHysteresis hysteresis) {
            return new Settings(window, grace, silentAfterWindows, evaluation, wallClockClose, hysteresis);
        }

        public Settings(
                Duration window,
                Duration grace,
                int silentAfterWindows,
                EvaluationSettings evaluation,
                boolean wallClockClose) {
            this(window, grace, silentAfterWindows, evaluation, wallClockClose, RiskHysteresis.DEFAULTS);
        }

        public Settings {
            if (window.isNegative() || window.isZero() || grace.isNegative() || silentAfterWindows < 1) {
                throw new IllegalArgumentException(
                        "window must be positive, grace non-negative, silentAfterWindows >= 1");
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

    private AdvisorTopology() {}

    /**
     * @param deadLetters where bad host samples and SLA policies go: Kafka Streams cannot dead-letter
     *                    global-store topics itself
     */
    public static Topology buildTopology(
            Settings settings,
            AdvisorSerdes serdes,
            Supplier<RecommendationEngine> engine,
            AdvisorMetrics metrics,
            DeadLetterPublisher deadLetters,
            String application) {
        return buildTopology(settings, TopicSet.LIVE, serdes, engine, metrics, deadLetters, application);
    }

    /**
     * The same topology over another set of topics (a backtest's). Reads top to bottom in data order: the
     * global stores, VM samples → 20 s profiles → decisions → recommendations and risk events, then the
     * online evaluation, which consumes what the main flow wrote. Bad VM samples are dead-lettered by the
     * application's deserialization and processing-exception handlers; bad global-store records by their
     * updaters.
     */
    public static Topology buildTopology(
            Settings settings,
            TopicSet topics,
            AdvisorSerdes serdes,
            Supplier<RecommendationEngine> engine,
            AdvisorMetrics metrics,
            DeadLetterPublisher deadLetters,
            String application) {
        StreamsBuilder builder = new StreamsBuilder();

        // Latest host sample per host and SLA policy per VM, on every instance: any VM may pick any destination.
        // Every decision reads every host: the decisions keep their host list until the store's write count moves
        // (ChangeCountingStore), and unchanged bytes are decoded once (DecodedCacheSerde).
        AtomicLong hostChanges = new AtomicLong();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                ChangeCountingStore.counting(Stores.inMemoryKeyValueStore(HOST_STORE), hostChanges),
                                Serdes.String(),
                                new DecodedCacheSerde<>(serdes.hostSample()))
                        .withLoggingDisabled(),
                topics.of(Topics.HOST_SAMPLES),
                Consumed.with(Serdes.String(), Validated.serde(serdes.hostSample()))
                        .withName("host-samples"),
                () -> new LatestValueUpdater<HostSample>(
                        HOST_STORE,
                        h -> h.getTimestamp().toEpochMilli(),
                        HostSample::getHostId,
                        "hostId",
                        false,
                        deadLetters,
                        application));
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(POLICY_STORE), Serdes.String(), serdes.slaPolicy())
                        .withLoggingDisabled(),
                topics.of(Topics.SLA_POLICIES),
                Consumed.with(Serdes.String(), Validated.serde(serdes.slaPolicy()))
                        .withName("sla-policies"),
                // Compacted topic: a tombstone removes the VM's policy, as documented for lm.sla-policies.
                () -> new LatestValueUpdater<SlaPolicy>(
                        POLICY_STORE, null, null, null, true, deadLetters, application));

        KStream<String, VmSample> samples = builder.stream(
                topics.of(Topics.VM_SAMPLES),
                Consumed.with(Serdes.String(), serdes.vmSample())
                        .withTimestampExtractor(new VmSampleTimestampExtractor(serdes.validator()))
                        .withOffsetResetPolicy(AutoOffsetReset.earliest())
                        .withName("vm-samples"));

        KStream<String, VmProfile> profiles = samples.process(
                ProfileWindowProcessor.supplier(
                        settings.window(), settings.grace(), metrics, settings.wallClockClose(), serdes.validator()),
                Named.as("profile-windows"));
        profiles.to(
                topics.of(Topics.VM_PROFILES),
                Produced.with(Serdes.String(), serdes.vmProfile()).withName("vm-profiles"));

        KStream<String, Decision> decisions = profiles.process(
                RecommendProcessor.supplier(engine, serdes, metrics, settings.wallClockClose(), hostChanges),
                Named.as("recommend"));

        KStream<String, MigrationRecommendation> recommendations =
                decisions.mapValues(Decision::recommendation, Named.as("recommendations"));
        recommendations.to(
                topics.of(Topics.MIGRATION_RECOMMENDATIONS),
                Produced.with(Serdes.String(), serdes.recommendation()).withName("to-recommendations"));

        KStream<String, SlaRiskEvent> riskEvents = decisions.process(
                RiskProcessor.supplier(
                        () -> engine.get().modelVersion(),
                        settings.window().multipliedBy(settings.silentAfterWindows()),
                        metrics,
                        settings.wallClockClose(),
                        settings.riskHysteresis()),
                Named.as("risk-events"));
        riskEvents.to(
                topics.of(Topics.SLA_RISK_EVENTS),
                Produced.with(Serdes.String(), serdes.riskEvent()).withName("to-risk-events"));

        // Last: the online evaluation reads the profiles and recommendations back from their topics.
        EvaluationTopology.addTo(builder, settings.evaluation(), topics, serdes, engine, metrics);
        return builder.build();
    }
}
