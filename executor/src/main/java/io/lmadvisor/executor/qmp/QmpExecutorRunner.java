package io.lmadvisor.executor.qmp;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.executor.MigrationExecutorRunner;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link Topics#MIGRATION_RECOMMENDATIONS} and migrates the inventory's VMs with the
 * {@link QmpMigrationExecutor}, publishing each {@link MigrationOutcome} to
 * {@link Topics#MIGRATION_OUTCOMES}.
 *
 * <p>Each inventory VM is migrated at most once per run: afterwards it runs on the destination and
 * its inventory entry is spent. Offsets are committed before the migrations finish (at most once):
 * a restart never repeats a real migration. Recommendations for VMs the inventory does not list are
 * refused with a log line (once per VM) and counted, but publish no outcome: the advisor recommends
 * for the whole fleet every window, so a FAILED outcome per foreign VM would flood the outcomes
 * topic and the online evaluation with migrations nobody attempted.
 */
public final class QmpExecutorRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QmpExecutorRunner.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    /** Older advice describes a VM that has changed since: not acted on. */
    static final Duration MAX_RECOMMENDATION_AGE = Duration.ofMinutes(5);

    public static final String DEFAULT_GROUP_ID = "lm-executor-qmp";

    /** Counters since construction. */
    public record Stats(long executed, long refused, long skipped, long badRecords, long running) {}

    private final QmpMigrationExecutor executor;
    private final Inventory inventory;
    private final PrintStream dryRunOut;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, MigrationOutcome> producer;
    private final AvroSerde<MigrationRecommendation> recommendationSerde;
    private final AvroSerde<MigrationOutcome> outcomeSerde;
    private final ExecutorService pool;
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final Set<String> refusedVms = ConcurrentHashMap.newKeySet();
    private final AtomicLong executed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong badRecords = new AtomicLong();
    private final AtomicLong running = new AtomicLong();
    private volatile boolean closed;
    private Thread thread;
    private volatile Throwable backgroundFailure;

    /**
     * @param clientConfigs Kafka client and Schema Registry settings
     * @param dryRunOut     where to print the QMP commands instead of running them; null runs them
     */
    public QmpExecutorRunner(
            Map<String, ?> clientConfigs, Inventory inventory, QmpMigrationExecutor executor, PrintStream dryRunOut) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.dryRunOut = dryRunOut;
        recommendationSerde = AvroSerdes.of(MigrationRecommendation.class, clientConfigs, false);
        outcomeSerde = AvroSerdes.of(MigrationOutcome.class, clientConfigs, false);
        Map<String, Object> c = MigrationExecutorRunner.kafkaOnly(clientConfigs);
        // A first start acts on new advice only, never on an old backlog.
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, DEFAULT_GROUP_ID);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> p = MigrationExecutorRunner.kafkaOnly(clientConfigs);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), outcomeSerde.serializer());
        pool = Executors.newFixedThreadPool(executor.settings().maxConcurrent(), r -> {
            Thread t = new Thread(r, "lm-qmp-migration");
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls on a background thread until {@link #close()}. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(
                () -> {
                    try {
                        loop();
                    } catch (RuntimeException | Error e) {
                        backgroundFailure = e;
                        log.error("QMP executor loop stopped: {}", e.getMessage(), e);
                    }
                },
                "lm-qmp-executor");
        thread.setDaemon(true);
        thread.start();
    }

    public Optional<Throwable> failure() {
        return Optional.ofNullable(backgroundFailure);
    }

    public Stats stats() {
        return new Stats(executed.get(), refused.get(), skipped.get(), badRecords.get(), running.get());
    }

    private void loop() {
        consumer.subscribe(List.of(Topics.MIGRATION_RECOMMENDATIONS));
        try {
            while (!closed) {
                var batch = consumer.poll(POLL_TIMEOUT);
                for (ConsumerRecord<String, byte[]> r : batch) {
                    MigrationRecommendation rec = decode(r);
                    if (rec != null) {
                        onRecommendation(rec);
                    }
                }
                if (!batch.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private void onRecommendation(MigrationRecommendation rec) {
        String vmId = rec.getVmId();
        Optional<InventoryEntry> entry = inventory.find(vmId);
        if (entry.isEmpty()) {
            refused.incrementAndGet();
            if (refusedVms.add(vmId)) {
                log.info(
                        "Refusing VM {}: not in the inventory{} (logged once per VM)",
                        vmId,
                        inventory.file() == null ? "" : " file " + inventory.file());
            }
            return;
        }
        if (rec.getAlgorithm() == null
                || rec.getSettings() == null
                || done.contains(vmId)
                || executor.isMigrating(vmId)
                || rec.getCreatedAt().isBefore(Instant.now().minus(MAX_RECOMMENDATION_AGE))) {
            skipped.incrementAndGet();
            return;
        }
        MigrationPlan plan;
        try {
            plan = executor.plan(rec, entry.get());
        } catch (QmpMigrationExecutor.Refused e) {
            refused.incrementAndGet();
            log.warn("Refusing VM {}: {}", vmId, e.getMessage());
            return;
        }
        done.add(vmId);
        if (dryRunOut != null) {
            plan.jsonLines().forEach(dryRunOut::println);
            dryRunOut.flush();
            executed.incrementAndGet();
            return;
        }
        running.incrementAndGet();
        pool.execute(() -> {
            try {
                MigrationOutcome o = executor.execute(rec, entry.get());
                executed.incrementAndGet();
                producer.send(
                        new ProducerRecord<>(
                                Topics.MIGRATION_OUTCOMES, null, o.getEndTime().toEpochMilli(), vmId, o),
                        (md, e) -> {
                            if (e != null) {
                                log.error("Outcome of {} not published: {}", o.getMigrationId(), e.getMessage());
                            }
                        });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("Migration of {} stopped: {}", vmId, e.getMessage(), e);
            } finally {
                running.decrementAndGet();
            }
        });
    }

    private MigrationRecommendation decode(ConsumerRecord<String, byte[]> r) {
        try {
            MigrationRecommendation rec =
                    recommendationSerde.deserializer().deserialize(r.topic(), r.headers(), r.value());
            if (rec != null) {
                return rec;
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Bad record {}-{}@{} (key {}): cannot deserialize: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    r.key(),
                    e.getMessage());
        }
        badRecords.incrementAndGet();
        return null;
    }

    /**
     * Stops reading, lets running migrations end (pre-copy ones are cancelled and put back,
     * post-copy ones finish), publishes their outcomes and closes the clients.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        consumer.wakeup();
        executor.stop();
        pool.shutdown();
        try {
            if (thread != null) {
                thread.join(Duration.ofSeconds(30).toMillis());
            } else {
                consumer.close();
            }
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                log.warn("Migrations still running after 10 minutes; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
        recommendationSerde.close();
        outcomeSerde.close();
        Stats s = stats();
        log.info(
                "QMP executor closed: {} executed, {} refused, {} skipped, {} bad records",
                s.executed(),
                s.refused(),
                s.skipped(),
                s.badRecords());
    }
}
