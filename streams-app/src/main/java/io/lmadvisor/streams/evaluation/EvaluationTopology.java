package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import java.util.function.Supplier;

/**
 * Online evaluation: migration outcomes joined with the advice current at their start give per-cell
 * errors, which go through a one-partition internal topic so a single task folds them into global
 * figures ({@code PredictionEvaluation}s), MODEL_DRIFT risk events and, for completed migrations,
 * training rows. Profiles, recommendations and outcomes are all keyed by vmId and co-partitioned, so
 * the join itself needs no repartition.
 */
public final class EvaluationTopology {
    public static final String HISTORY_STORE = "evaluation-vm-history";
    public static final String CELL_STORE = "evaluation-cells";
    /** Name of the internal topic ({@code <application.id>-evaluation-errors-repartition}). */
    static final String ERRORS_REPARTITION = "evaluation-errors";

    private EvaluationTopology() {
    }

    /**
     * Adds the evaluation to {@code builder}.
     *
     * @param hostStore the global store of latest host samples, for the destination of rescored outcomes
     */
    public static StreamsBuilder addTo(StreamsBuilder builder, EvaluationSettings settings, EvaluationTopics topics,
                                       AdvisorSerdes serdes, Supplier<RecommendationEngine> engine,
                                       AdvisorMetrics metrics, String hostStore) {
        // Persistent: 30 windows per VM of a large fleet need not fit in memory.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY_STORE), Serdes.String(),
                new VmHistorySerde(serdes.vmProfile(), serdes.recommendation(), topics.profiles(), topics.recommendations())));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CELL_STORE), Serdes.String(),
                new CellAccumulatorSerde()));
        recordHistory(builder, topics, serdes);
        KStream<String, MatchedOutcome> matched = matchOutcomes(builder, topics, serdes, engine, metrics, hostStore);
        publishTrainingRows(matched, topics, metrics);
        aggregate(matched, settings, topics, serdes, metrics);
        return builder;
    }

    private static void recordHistory(StreamsBuilder builder, EvaluationTopics topics, AdvisorSerdes serdes) {
        builder.stream(topics.profiles(), Consumed.with(Serdes.String(), serdes.vmProfile()).withName("evaluation-profiles"))
                .process(() -> new HistoryRecorder<VmProfile>(HISTORY_STORE, VmHistory::putProfile, VmProfile::getVmId),
                        Named.as("evaluation-record-profiles"), HISTORY_STORE);
        builder.stream(topics.recommendations(),
                        Consumed.with(Serdes.String(), serdes.recommendation()).withName("evaluation-recommendations"))
                .process(() -> new HistoryRecorder<MigrationRecommendation>(HISTORY_STORE, VmHistory::putRecommendation,
                                MigrationRecommendation::getVmId),
                        Named.as("evaluation-record-recommendations"), HISTORY_STORE);
    }

    private static KStream<String, MatchedOutcome> matchOutcomes(StreamsBuilder builder, EvaluationTopics topics,
                                                                 AdvisorSerdes serdes, Supplier<RecommendationEngine> engine,
                                                                 AdvisorMetrics metrics, String hostStore) {
        return builder.stream(topics.outcomes(), Consumed.with(Serdes.String(), serdes.outcome()).withName("evaluation-outcomes"))
                .process(() -> new OutcomeMatcher(engine, HISTORY_STORE, hostStore, metrics),
                        Named.as("evaluation-match-outcomes"), HISTORY_STORE);
    }

    private static void publishTrainingRows(KStream<String, MatchedOutcome> matched, EvaluationTopics topics,
                                            AdvisorMetrics metrics) {
        matched.flatMapValues(TrainingRows::of, Named.as("evaluation-training-rows"))
                .peek((vm, row) -> metrics.trainingRows.increment(), Named.as("evaluation-count-training-rows"))
                .to(topics.trainingRows(), Produced.with(Serdes.String(), Serdes.String()).withName("evaluation-to-training-rows"));
    }

    private static void aggregate(KStream<String, MatchedOutcome> matched, EvaluationSettings settings,
                                  EvaluationTopics topics, AdvisorSerdes serdes, AdvisorMetrics metrics) {
        KStream<String, CellUpdate> updates = matched
                .flatMap(OutcomeErrors::of, Named.as("evaluation-outcome-errors"))
                // One partition: every cell's errors meet in one task, so the figures are global.
                .repartition(Repartitioned.<String, OutcomeError>as(ERRORS_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new OutcomeErrorSerde()).withNumberOfPartitions(1))
                .process(() -> new CellAggregator(settings, CELL_STORE, metrics), Named.as("evaluation-cells"), CELL_STORE);
        updates.mapValues(CellUpdate::evaluation, Named.as("evaluation-figures"))
                .to(topics.evaluations(), Produced.with(Serdes.String(), serdes.evaluation()).withName("evaluation-to-evaluations"));
        updates.filter((cell, u) -> u.drift() != null, Named.as("evaluation-drift-only"))
                .map((cell, u) -> KeyValue.pair(u.drift().getVmId(), u.drift()), Named.as("evaluation-drift-events"))
                .to(topics.riskEvents(), Produced.with(Serdes.String(), serdes.riskEvent()).withName("evaluation-to-risk-events"));
    }
}
