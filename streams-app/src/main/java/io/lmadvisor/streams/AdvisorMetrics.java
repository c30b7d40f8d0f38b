package io.lmadvisor.streams;

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
}
