package io.lmadvisor.executor;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@link Topics#VM_PROFILES} and {@link Topics#MIGRATION_RECOMMENDATIONS}, runs the
 * recommendations through a {@link SimulatedExecutor} and publishes the outcomes to
 * {@link Topics#MIGRATION_OUTCOMES}, keyed by vmId. Offsets are committed after the batch's
 * outcomes are acknowledged (at least once; the migration id is deterministic, so duplicates are
 * recognisable).
 *
 * <p>A recommendation is run against the profile of its window. If that profile has not been
 * read yet, the recommendation waits (latest one per VM) until a profile of that window or a later
 * one arrives; then the newest profile not after its window is used. Profiles, waiting
 * recommendations and busy VMs live in memory only: a restart forgets them.
 *
 * <p>Use either {@link #run(Duration)} on the caller's thread or {@link #start()} on a background
 * thread; {@link #close()} stops both.
 */
public final class MigrationExecutorRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationExecutorRunner.class);

    // Window ends kept per VM: a recommendation refers to a recent one.
    static final int PROFILES_PER_VM = 8;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    /** Counters since construction. */
    public record Stats(long executed, long skipped, long badRecords, long waiting) {}

    private final SimulatedExecutor executor;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, MigrationOutcome> producer;
    private final AvroSerde<VmProfile> profileSerde;
    private final AvroSerde<MigrationRecommendation> recommendationSerde;
    private final AvroSerde<MigrationOutcome> outcomeSerde;
    private final Object loopLock = new Object();

    private final Map<String, NavigableMap<Long, VmProfile>> profiles = new HashMap<>();
    private final Map<String, MigrationRecommendation> waiting = new HashMap<>();
    private final AtomicLong executed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong badRecords = new AtomicLong();
    private final AtomicLong waitingCount = new AtomicLong();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();

    private volatile boolean closed;
    private boolean subscribed;
    private Thread thread;
    private volatile Throwable backgroundFailure;

    /**
     * @param clientConfigs Kafka client properties ({@code bootstrap.servers}, security, ...) plus
     *                      {@code schema.registry.url} and other serde keys
     */
    public MigrationExecutorRunner(Map<String, ?> clientConfigs, ExecutorSettings settings) {
        this(clientConfigs, new SimulatedExecutor(settings));
    }

    public MigrationExecutorRunner(Map<String, ?> clientConfigs, SimulatedExecutor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        profileSerde = AvroSerdes.of(VmProfile.class, clientConfigs, false);
        recommendationSerde = AvroSerdes.of(MigrationRecommendation.class, clientConfigs, false);
        outcomeSerde = AvroSerdes.of(MigrationOutcome.class, clientConfigs, false);

        Map<String, Object> c = kafkaOnly(clientConfigs);
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, executor.settings().groupId());
        // Recommendations come from an exactly-once Streams app: never act on aborted ones.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Values as bytes: a bad record is then ours to log and skip, not a poll() exception.
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());

        Map<String, Object> p = kafkaOnly(clientConfigs);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), outcomeSerde.serializer());
    }

    /** Polls and executes until {@code duration} has passed or {@link #close()} is called. */
    public void run(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (loopLock) {
            loop(deadline);
        }
    }

    /** Polls and executes on a background thread until {@link #close()}. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(
                () -> {
                    try {
                        synchronized (loopLock) {
                            loop(Long.MAX_VALUE);
                        }
                    } catch (RuntimeException | Error e) {
                        backgroundFailure = e;
                        log.error("Executor loop stopped", e);
                    }
                },
                "lm-executor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Why the background loop stopped early, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(backgroundFailure);
    }

    public Stats stats() {
        return new Stats(executed.get(), skipped.get(), badRecords.get(), waitingCount.get());
    }

    public SimulatedExecutor executor() {
        return executor;
    }

    /** Guards the one-time release of clients in {@link #close()}. */
    private boolean released;

    @Override
    public void close() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        closed = true;
        consumer.wakeup();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Waits for a run() on another thread to leave the loop.
        synchronized (loopLock) {
            try {
                consumer.close();
            } finally {
                producer.close();
                profileSerde.close();
                recommendationSerde.close();
                outcomeSerde.close();
            }
        }
        Stats s = stats();
        log.info(
                "Executor closed: {} executed, {} skipped, {} bad records, {} waiting",
                s.executed(),
                s.skipped(),
                s.badRecords(),
                s.waiting());
    }

    private void loop(long deadlineNanos) {
        if (closed) {
            return;
        }
        if (!subscribed) {
            consumer.subscribe(List.of(Topics.VM_PROFILES, Topics.MIGRATION_RECOMMENDATIONS));
            subscribed = true;
        }
        try {
            while (!closed && System.nanoTime() - deadlineNanos < 0) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(POLL_TIMEOUT);
                if (batch.isEmpty()) {
                    continue;
                }
                // Profiles first: a recommendation in the same batch then finds its own profile.
                for (ConsumerRecord<String, byte[]> r : batch.records(Topics.VM_PROFILES)) {
                    VmProfile p = decode(profileSerde, r);
                    if (p != null) {
                        guarded(r, () -> onProfile(p));
                    }
                }
                for (ConsumerRecord<String, byte[]> r : batch.records(Topics.MIGRATION_RECOMMENDATIONS)) {
                    MigrationRecommendation rec = decode(recommendationSerde, r);
                    if (rec != null) {
                        guarded(r, () -> onRecommendation(rec));
                    }
                }
                producer.flush();
                Exception failed = sendFailure.get();
                if (failed != null) {
                    // Not committing: the batch is read again after a restart.
                    throw new KafkaException("Publishing migration outcomes failed", failed);
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    private void onProfile(VmProfile p) {
        NavigableMap<Long, VmProfile> windows = profiles.computeIfAbsent(p.getVmId(), k -> new TreeMap<>());
        windows.put(p.getWindowEnd().toEpochMilli(), p);
        while (windows.size() > PROFILES_PER_VM) {
            windows.pollFirstEntry();
        }
        MigrationRecommendation pending = waiting.get(p.getVmId());
        if (pending != null && p.getWindowEnd().compareTo(pending.getProfileWindowEnd()) >= 0) {
            waiting.remove(p.getVmId());
            waitingCount.decrementAndGet();
            onRecommendation(pending);
        }
    }

    private void onRecommendation(MigrationRecommendation rec) {
        String vmId = rec.getVmId();
        long windowEnd = rec.getProfileWindowEnd().toEpochMilli();
        NavigableMap<Long, VmProfile> windows = profiles.get(vmId);
        boolean laterSeen = windows != null && windows.ceilingKey(windowEnd) != null;
        if (!laterSeen) {
            MigrationRecommendation replaced = waiting.put(vmId, rec);
            if (replaced == null) {
                waitingCount.incrementAndGet();
            } else {
                skipped.incrementAndGet();
                log.debug(
                        "Recommendation for {} at {} superseded before its profile arrived",
                        vmId,
                        replaced.getProfileWindowEnd());
            }
            return;
        }
        Map.Entry<Long, VmProfile> profile = windows.floorEntry(windowEnd);
        if (profile == null) {
            skipped.incrementAndGet();
            log.debug("No profile of {} at or before {}", vmId, rec.getProfileWindowEnd());
            return;
        }
        // Event time of the advice, so reruns give the same start times and busy periods.
        Instant now = rec.getCreatedAt();
        Optional<MigrationOutcome> outcome = executor.execute(profile.getValue(), rec, now);
        if (outcome.isEmpty()) {
            skipped.incrementAndGet();
            log.debug("Skipped {} at {}: {}", vmId, rec.getProfileWindowEnd(), executor.lastSkip());
            return;
        }
        MigrationOutcome o = outcome.get();
        executed.incrementAndGet();
        log.debug(
                "Executed {} {} -> {} with {} ({}): TT {} ms, DT {} ms",
                o.getMigrationId(),
                o.getSourceHostId(),
                o.getDestinationHostId(),
                o.getAlgorithm(),
                o.getStatus(),
                o.getTotalTimeMs(),
                o.getDowntimeMs());
        // Record time = end of the migration, when a real executor would report it.
        producer.send(
                new ProducerRecord<>(
                        Topics.MIGRATION_OUTCOMES, null, o.getEndTime().toEpochMilli(), vmId, o),
                (md, e) -> {
                    if (e != null) {
                        sendFailure.compareAndSet(null, e);
                    }
                });
    }

    private <T extends org.apache.avro.specific.SpecificRecord> T decode(
            AvroSerde<T> serde, ConsumerRecord<String, byte[]> r) {
        try {
            T value = serde.deserializer().deserialize(r.topic(), r.headers(), r.value());
            if (value == null) {
                bad(r, "null value", null);
            }
            return value;
        } catch (RuntimeException e) {
            bad(r, "cannot deserialize", e);
            return null;
        }
    }

    private void guarded(ConsumerRecord<String, byte[]> r, Runnable action) {
        try {
            action.run();
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            bad(r, "cannot execute", e);
        }
    }

    private void bad(ConsumerRecord<String, byte[]> r, String what, Exception e) {
        badRecords.incrementAndGet();
        log.warn(
                "Bad record {}-{}@{} (key {}): {}{}",
                r.topic(),
                r.partition(),
                r.offset(),
                r.key(),
                what,
                e == null ? "" : ": " + e.getMessage());
    }

    /** The client properties without the serde-only keys, which Kafka clients would warn about. */
    public static Map<String, Object> kafkaOnly(Map<String, ?> configs) {
        Map<String, Object> out = new HashMap<>();
        configs.forEach((k, v) -> {
            if (!k.startsWith("schema.registry.")
                    && !k.startsWith("basic.auth.")
                    && !k.equals("auto.register.schemas")) {
                out.put(k, v);
            }
        });
        return out;
    }
}
