package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.WithStores;
import io.lmadvisor.streams.recommend.Predictor;
import io.lmadvisor.topics.TopicSet;
import io.lmadvisor.topics.Topics;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Online evaluation: migration outcomes joined with the advice current at their start give per-cell
 * errors, which go through a one-partition internal topic so a single task folds them into global
 * figures ({@code PredictionEvaluation}s), MODEL_DRIFT risk events and, for completed migrations,
 * training rows. Profiles, recommendations and outcomes are all keyed by vmId and co-partitioned, so
 * the join itself needs no repartition.
 */
public final class EvaluationTopology {
    /** Store names are their changelogs' (and the HTTP server's): keep them. */
    public static final String HISTORY_STORE = "evaluation-history-windows";

    public static final String CELL_STORE = "evaluation-cells";
    /** Name of the internal topic ({@code <application.id>-evaluation-errors-repartition}). */
    static final String ERRORS_REPARTITION = "evaluation-errors";

    private EvaluationTopology() {}

    /**
     * Adds the evaluation to {@code builder}, in data order: record each VM's history, match outcomes to the
     * advice current at their start, publish training rows, fold errors per cell into figures and drift events.
     * Outcomes rescored off-policy read the global host store for their destination.
     */
    public static void addTo(
            StreamsBuilder builder,
            EvaluationSettings settings,
            TopicSet topics,
            AdvisorSerdes serdes,
            Supplier<? extends Predictor> model,
            AdvisorMetrics metrics) {
        // Persistent: 30 windows per VM of a large fleet need not fit in memory. One key per window (HistoryWindows).
        // One builder: three processors share it.
        StoreBuilder<KeyValueStore<String, VmHistory.Entry>> history = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HISTORY_STORE),
                Serdes.String(),
                HistoryWindows.serde(
                        serdes.vmProfile(),
                        serdes.recommendation(),
                        topics.of(Topics.VM_PROFILES),
                        topics.of(Topics.MIGRATION_RECOMMENDATIONS)));

        builder.stream(
                        topics.of(Topics.VM_PROFILES),
                        Consumed.with(Serdes.String(), serdes.vmProfile()).withName("evaluation-profiles"))
                .process(
                        WithStores.supplier(
                                () -> new HistoryRecorder<VmProfile>(
                                        p -> p.getWindowEnd().toEpochMilli(),
                                        VmHistory::withProfile,
                                        VmProfile::getVmId),
                                history),
                        Named.as("evaluation-record-profiles"));
        builder.stream(
                        topics.of(Topics.MIGRATION_RECOMMENDATIONS),
                        Consumed.with(Serdes.String(), serdes.recommendation()).withName("evaluation-recommendations"))
                .process(
                        WithStores.supplier(
                                () -> new HistoryRecorder<MigrationRecommendation>(
                                        r -> r.getProfileWindowEnd().toEpochMilli(),
                                        VmHistory::withRecommendation,
                                        MigrationRecommendation::getVmId),
                                history),
                        Named.as("evaluation-record-recommendations"));

        KStream<String, MatchedOutcome> matched = builder.stream(
                        topics.of(Topics.MIGRATION_OUTCOMES),
                        Consumed.with(Serdes.String(), serdes.outcome()).withName("evaluation-outcomes"))
                .process(
                        WithStores.supplier(() -> new OutcomeMatcher(model, metrics), history),
                        Named.as("evaluation-match-outcomes"));

        KStream<String, String> trainingRows = matched.flatMapValues(
                        TrainingRows::of, Named.as("evaluation-training-rows"))
                .peek((vm, row) -> metrics.trainingRows.increment(), Named.as("evaluation-count-training-rows"));
        trainingRows.to(
                topics.of(Topics.TRAINING_ROWS),
                Produced.with(Serdes.String(), Serdes.String()).withName("evaluation-to-training-rows"));

        KStream<String, CellUpdate> cellUpdates = matched.flatMap(
                        OutcomeErrors::of, Named.as("evaluation-outcome-errors"))
                // One partition: every cell's errors meet in one task, so the figures are global.
                .repartition(Repartitioned.<String, OutcomeError>as(ERRORS_REPARTITION)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(OutcomeError.serde())
                        .withNumberOfPartitions(1))
                .process(
                        WithStores.supplier(
                                () -> new CellAggregator(settings, metrics),
                                Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(CELL_STORE),
                                        Serdes.String(),
                                        CellAccumulator.serde())),
                        Named.as("evaluation-cells"));

        KStream<String, PredictionEvaluation> evaluations =
                cellUpdates.mapValues(CellUpdate::evaluation, Named.as("evaluation-figures"));
        evaluations.to(
                topics.of(Topics.PREDICTION_EVALUATIONS),
                Produced.with(Serdes.String(), serdes.evaluation()).withName("evaluation-to-evaluations"));

        KStream<String, SlaRiskEvent> driftEvents = cellUpdates
                .filter((cell, u) -> u.drift() != null, Named.as("evaluation-drift-only"))
                .map((cell, u) -> KeyValue.pair(u.drift().getVmId(), u.drift()), Named.as("evaluation-drift-events"));
        driftEvents.to(
                topics.of(Topics.SLA_RISK_EVENTS),
                Produced.with(Serdes.String(), serdes.riskEvent()).withName("evaluation-to-risk-events"));
    }
}
