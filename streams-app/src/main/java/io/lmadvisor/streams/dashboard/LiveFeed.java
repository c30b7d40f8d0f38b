package io.lmadvisor.streams.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.serde.AvroJson;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's view of the advisor's output topics: one read_committed consumer on one thread, outside
 * the Kafka Streams topology. It assigns every partition itself (no group), so each instance sees the whole
 * fleet's events; recommendations are read from the end, risk, model and outcome events from a look-back so
 * the page has a recent past. Everything it keeps is bounded; records it cannot decode are counted and
 * skipped (the advisor dead-letters bad input upstream; these are its own outputs).
 */
public final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Feed items kept for a browser that connects (the page shows at most this many). */
    public static final int FEED_ITEMS = 200;

    static final int MODEL_ITEMS = 50;
    static final int OUTCOMES_PER_VM = 10;
    static final int OUTCOME_VMS = 20_000;
    static final Duration LOOK_BACK = Duration.ofHours(24);

    /** Topic names and how to decode them. */
    public record Source(
            String recommendations,
            String riskEvents,
            String modelEvents,
            String outcomes,
            Deserializer<MigrationRecommendation> recommendation,
            Deserializer<SlaRiskEvent> riskEvent,
            Deserializer<ModelEvent> modelEvent,
            Deserializer<MigrationOutcome> outcome) {}

    private final Source source;
    private final Map<String, Object> consumerConfig;
    private final SseHub hub;
    private final Deque<String> feed = new ArrayDeque<>();
    private final Deque<JsonNode> drift = new ArrayDeque<>();
    private final Deque<JsonNode> modelEvents = new ArrayDeque<>();
    private final Map<String, Deque<MigrationOutcome>> outcomes = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<MigrationOutcome>> eldest) {
            return size() > OUTCOME_VMS;
        }
    };
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final Map<io.lmadvisor.avro.ModelDecision, AtomicLong> decisions =
            new java.util.EnumMap<>(io.lmadvisor.avro.ModelDecision.class);
    private volatile KafkaConsumer<String, byte[]> consumer;
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);
    private volatile boolean closed;
    private Thread thread;

    /** @param connection bootstrap and security settings ({@code ClientSettings.kafkaConnection}) */
    public LiveFeed(Map<String, Object> connection, String clientId, Source source, SseHub hub) {
        this.source = source;
        this.hub = hub;
        for (io.lmadvisor.avro.ModelDecision d : io.lmadvisor.avro.ModelDecision.values()) {
            decisions.put(d, new AtomicLong());
        }
        consumerConfig = new HashMap<>(connection);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    }

    private final CountDownLatch closing = new CountDownLatch(1);

    public LiveFeed start() {
        thread = new Thread(this::run, "dashboard-feed");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        while (!closed) {
            KafkaConsumer<String, byte[]> c =
                    new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
            try {
                consumer = c;
                if (closed) {
                    return;
                }
                if (!assign(c)) {
                    sleepQuietly(2_000);
                    continue;
                }
                while (!closed) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                        handle(r);
                    }
                    if (assignmentStale(c)) {
                        break;
                    }
                }
            } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("dashboard feed: {}; reconnecting in 2 s", e.toString());
                    sleepQuietly(2_000);
                }
            } finally {
                // Short: no group to leave, and at shutdown the broker may already be gone.
                // close() interrupts this thread to end a wait; the consumer must still close cleanly.
                boolean interrupted = Thread.interrupted();
                try {
                    c.close(CloseOptions.timeout(CLOSE_TIMEOUT));
                } catch (org.apache.kafka.common.errors.InterruptException e) {
                    interrupted = true;
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private long lastAssignmentCheckMs;
    private int assignedPartitions;

    /** Every partition of the four topics; false while the topics do not exist yet. */
    private boolean assign(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> all = partitions(c);
        if (all.isEmpty()) {
            return false;
        }
        c.assign(all);
        assignedPartitions = all.size();
        lastAssignmentCheckMs = System.currentTimeMillis();
        long since = System.currentTimeMillis() - LOOK_BACK.toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        List<TopicPartition> fromEnd = new ArrayList<>();
        for (TopicPartition tp : all) {
            if (tp.topic().equals(source.recommendations())) {
                fromEnd.add(tp);
            } else {
                times.put(tp, since);
            }
        }
        c.seekToEnd(fromEnd);
        Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(times, Duration.ofSeconds(10));
        for (TopicPartition tp : times.keySet()) {
            OffsetAndTimestamp o = at.get(tp);
            if (o == null) {
                c.seekToEnd(List.of(tp));
            } else {
                c.seek(tp, o.offset());
            }
        }
        return true;
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic :
                List.of(source.recommendations(), source.riskEvents(), source.modelEvents(), source.outcomes())) {
            try {
                c.partitionsFor(topic, Duration.ofSeconds(5))
                        .forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            } catch (RuntimeException e) {
                LOG.debug("dashboard feed: no partitions for {} yet: {}", topic, e.toString());
            }
        }
        return all;
    }

    /** Topics created or grown after start are picked up within a minute. */
    private boolean assignmentStale(KafkaConsumer<String, byte[]> c) {
        if (System.currentTimeMillis() - lastAssignmentCheckMs < 60_000) {
            return false;
        }
        lastAssignmentCheckMs = System.currentTimeMillis();
        return partitions(c).size() != assignedPartitions;
    }

    void handle(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(source.recommendations())) {
                MigrationRecommendation rec = source.recommendation().deserialize(r.topic(), r.value());
                ObjectNode n = item(
                        "recommendation",
                        rec.getVmId(),
                        rec.getSourceHostId(),
                        rec.getCreatedAt().toEpochMilli());
                n.put(
                        "algorithm",
                        rec.getAlgorithm() == null ? null : rec.getAlgorithm().name());
                n.put("destination", rec.getDestinationHostId());
                n.put("message", rec.getReason());
                push(n);
            } else if (r.topic().equals(source.riskEvents())) {
                SlaRiskEvent e = source.riskEvent().deserialize(r.topic(), r.value());
                ObjectNode n = item(
                        "risk", e.getVmId(), e.getHostId(), e.getTimestamp().toEpochMilli());
                n.put("riskType", e.getRiskType().name());
                n.put("transition", e.getTransition().name());
                n.put("severity", e.getSeverity().name());
                n.put("message", e.getMessage());
                if (e.getRiskType() == SlaRiskType.MODEL_DRIFT) {
                    synchronized (this) {
                        bounded(drift, AvroJson.toJson(e), MODEL_ITEMS);
                    }
                }
                push(n);
            } else if (r.topic().equals(source.modelEvents())) {
                ModelEvent e = source.modelEvent().deserialize(r.topic(), r.value());
                ObjectNode n = item("model", null, null, e.getDecidedAt().toEpochMilli());
                n.put("decision", e.getDecision().name());
                decisions.get(e.getDecision()).incrementAndGet();
                n.put("message", e.getReason());
                synchronized (this) {
                    bounded(modelEvents, AvroJson.toJson(e), MODEL_ITEMS);
                }
                push(n);
            } else if (r.topic().equals(source.outcomes())) {
                MigrationOutcome o = source.outcome().deserialize(r.topic(), r.value());
                synchronized (this) {
                    bounded(outcomes.computeIfAbsent(o.getVmId(), k -> new ArrayDeque<>()), o, OUTCOMES_PER_VM);
                }
            }
        } catch (RuntimeException e) {
            if (undecodable.incrementAndGet() == 1) {
                LOG.warn(
                        "dashboard feed: skipped an undecodable record on {} (offset {}): {}",
                        r.topic(),
                        r.offset(),
                        e.toString());
            }
        }
    }

    private static ObjectNode item(String kind, String vmId, String hostId, long atMs) {
        ObjectNode n = NODES.objectNode();
        n.put("kind", kind);
        n.put("vmId", vmId);
        n.put("hostId", hostId);
        n.put("atMs", atMs);
        return n;
    }

    private void push(ObjectNode n) {
        String json = AvroJson.write(n);
        events.incrementAndGet();
        synchronized (this) {
            bounded(feed, json, FEED_ITEMS);
        }
        hub.publish(json);
    }

    private static <T> void bounded(Deque<T> q, T item, int max) {
        q.addLast(item);
        while (q.size() > max) {
            q.removeFirst();
        }
    }

    public synchronized List<String> recentFeed() {
        return new ArrayList<>(feed);
    }

    public synchronized List<JsonNode> driftEvents() {
        return new ArrayList<>(drift);
    }

    public synchronized List<JsonNode> modelEvents() {
        return new ArrayList<>(modelEvents);
    }

    /** This VM's last outcomes, oldest first. */
    public synchronized List<MigrationOutcome> outcomes(String vmId) {
        Deque<MigrationOutcome> q = outcomes.get(vmId);
        return q == null ? List.of() : new ArrayList<>(q);
    }

    /** Events pushed to the feed since start. */
    public long events() {
        return events.get();
    }

    /** Model events read with this decision (within the look-back, then live). */
    public long modelEvents(io.lmadvisor.avro.ModelDecision decision) {
        return decisions.get(decision).get();
    }

    public long undecodable() {
        return undecodable.get();
    }

    private void sleepQuietly(long ms) {
        try {
            closing.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        // Ends a wait between reconnection attempts. Not an interrupt: one landing inside the consumer's own close
        // made it throw InterruptException and log an ERROR at every shutdown.
        closing.countDown();
        if (thread != null) {
            try {
                thread.join(2_000 + CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
