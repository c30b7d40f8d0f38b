package io.lmadvisor.streams;

import io.lmadvisor.avro.PredictionEvaluation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Our own counters; the HTTP /metrics endpoint exports them next to Kafka Streams' metrics. */
public final class AdvisorMetrics {
    public final LongAdder samples = new LongAdder();
    public final LongAdder lateSamples = new LongAdder();
    public final LongAdder profiles = new LongAdder();
    public final LongAdder recommendations = new LongAdder();
    public final LongAdder riskEvents = new LongAdder();
    public final LongAdder scoringNanos = new LongAdder();
    public final AtomicLong lastScoringNanos = new AtomicLong();
    public final LongAdder outcomes = new LongAdder();
    /** Outcomes with no profile of their VM before their start. */
    public final LongAdder outcomesUnmatched = new LongAdder();
    /** Outcomes whose destination or bandwidth the recommendation did not cover, so the model rescored them. */
    public final LongAdder outcomesRescored = new LongAdder();
    /** Redeliveries of an outcome already counted. */
    public final LongAdder outcomesDuplicate = new LongAdder();

    public final LongAdder trainingRows = new LongAdder();
    /** Latest figures per evaluation cell ({@code PRE.TT}); filled only on the instance that aggregates them. */
    public final Map<String, PredictionEvaluation> evaluations = new ConcurrentHashMap<>();
}
