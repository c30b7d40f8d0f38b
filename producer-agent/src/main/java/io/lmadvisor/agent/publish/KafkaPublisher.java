package io.lmadvisor.agent.publish;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.metrics.DropLog;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.agent.spool.SpoolRecord;
import io.lmadvisor.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends wire-format records to Kafka, or to a {@link DiskSpool} while the broker is unreachable,
 * keeping their order.
 *
 * <p>One sender thread does all sending, one batch at a time: it hands a batch to the producer
 * and waits until every record is acked or failed before taking the next. While the spool is
 * empty, batches come from a small in-memory queue fed by {@link #submit}. When a record fails
 * with a retriable error (the producer gave up after {@code delivery.timeout.ms}, or could not
 * even accept it within {@code max.block.ms}), the failed records and everything queued behind
 * them go to the spool, in order, and from then on {@link #submit} appends to the spool. The
 * sender drains the spool from its head, and commits (deletes) a record only once the broker
 * acked it; when the spool is empty it switches back to direct sending.
 *
 * <p>Records the broker rejects for good (timestamp out of range, too large, invalid topic) are
 * dropped and counted: retrying them would block the spool forever.
 *
 * <p>With {@link SchemaIds}, records may carry a placeholder schema id; each gets its real id just
 * before it is sent. While the registry cannot tell it, the record is treated like one the broker
 * did not take: it waits in the spool, in order.
 */
public final class KafkaPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);

    private final Supplier<Producer<byte[], byte[]>> producerFactory;
    private final DiskSpool spool;
    private final AgentCounters counters;
    private final Settings settings;
    private final Object lock = new Object();
    private final ArrayDeque<SpoolRecord> pending = new ArrayDeque<>(); // guarded by lock
    private boolean spooling; // guarded by lock
    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;
    private final Thread sender;
    private Producer<byte[], byte[]> producer;
    private final DropLog dropLog;
    private final SchemaIds schemaIds; // null: records carry real ids already

    /** Tuning of the publisher; {@link #defaults()} suits one agent per host. */
    public record Settings(int batchRecords, int maxQueuedRecords, long retryBackoffMs, long deliveryTimeoutMs) {
        public static Settings defaults() {
            return new Settings(500, 100_000, 1_000, 8_000);
        }
    }

    /**
     * Producer settings of the agent: idempotent, acks=all, and short timeouts so an unreachable
     * broker is noticed within seconds ({@code delivery.timeout.ms} 8 s, {@code request.timeout.ms}
     * 3 s, {@code max.block.ms} 3 s) and samples start going to the spool.
     *
     * @param compression lz4 (default), zstd, gzip, snappy or none
     */
    public static Map<String, Object> producerConfig(
            String bootstrapServers, String compression, long deliveryTimeoutMs) {
        String c = compression.toLowerCase(Locale.ROOT);
        if (!List.of("lz4", "zstd", "gzip", "snappy", "none").contains(c)) {
            throw new IllegalArgumentException("compression must be lz4, zstd, gzip, snappy or none: " + compression);
        }
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        cfg.put(ProducerConfig.CLIENT_ID_CONFIG, "lm-agent");
        cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        cfg.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        cfg.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, c);
        cfg.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        long requestTimeoutMs = Math.min(3_000, deliveryTimeoutMs / 2);
        cfg.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeoutMs);
        cfg.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeoutMs);
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        cfg.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        cfg.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        cfg.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return cfg;
    }

    /**
     * Starts the sender thread. If the spool holds records from an earlier run, they are sent
     * before anything submitted now.
     */
    public KafkaPublisher(
            Supplier<Producer<byte[], byte[]>> producerFactory,
            DiskSpool spool,
            AgentCounters counters,
            Settings settings) {
        this(producerFactory, spool, counters, settings, null);
    }

    /** As above; records with placeholder schema ids get their real ids from {@code schemaIds}. */
    public KafkaPublisher(
            Supplier<Producer<byte[], byte[]>> producerFactory,
            DiskSpool spool,
            AgentCounters counters,
            Settings settings,
            SchemaIds schemaIds) {
        this.schemaIds = schemaIds;
        this.producerFactory = producerFactory;
        this.spool = spool;
        this.counters = counters;
        this.settings = settings;
        this.dropLog = new DropLog(counters);
        counters.spool(spool::records, spool::bytes);
        spooling = !spool.isEmpty();
        counters.spooling(spooling);
        sender = new Thread(this::runSender, "lm-agent-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** Queues records for sending, in order; never blocks on the broker. */
    public void submit(List<SpoolRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (schemaIds != null) {
            // Known ids go in now, so the spool holds plain wire format whenever it can.
            records = records.stream().map(schemaIds::resolveIfKnown).toList();
        }
        synchronized (lock) {
            if (counters.fatal() != null) {
                drop(records.size(), "publishing stopped (" + counters.fatal() + ")");
            } else if (stopping && !sender.isAlive()) {
                toSpool(records);
            } else if (spooling) {
                toSpool(records);
            } else {
                int room = Math.max(0, settings.maxQueuedRecords() - pending.size());
                pending.addAll(records.subList(0, Math.min(room, records.size())));
                if (room < records.size()) {
                    drop(
                            records.size() - room,
                            "the in-memory send queue is full (" + settings.maxQueuedRecords() + " records)");
                }
                lock.notifyAll();
            }
        }
    }

    /** True while submitted records go to the spool. */
    public boolean spooling() {
        synchronized (lock) {
            return spooling;
        }
    }

    /** Makes spooled records durable (fsync). */
    public void sync() {
        spool.sync();
    }

    /**
     * Stops: keeps sending for up to {@code timeout} (queue first, then the spool), puts whatever
     * is left into the spool, closes the producer and fsyncs the spool. The spool stays open; its
     * owner closes it.
     */
    public void close(Duration timeout) {
        stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            // A batch in flight may need up to delivery.timeout.ms to resolve.
            sender.join(timeout.toMillis() + settings.deliveryTimeoutMs() + 2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            LOG.warn("Sender did not stop in time; records it holds in flight may be lost");
            sender.interrupt();
        }
        synchronized (lock) {
            if (!pending.isEmpty()) {
                List<SpoolRecord> rest = new ArrayList<>(pending);
                pending.clear();
                toSpool(rest);
            }
        }
        spool.sync();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    // ---- sender thread ----

    private void runSender() {
        boolean lastDrainFailed = false;
        try {
            while (true) {
                List<SpoolRecord> batch = null;
                boolean fromSpool;
                synchronized (lock) {
                    if (!spooling) {
                        while (pending.isEmpty() && !stopping) {
                            lock.wait(500);
                        }
                        if (pending.isEmpty() || pastDeadline()) {
                            break; // stopping; close() spools what is left
                        }
                        batch = new ArrayList<>(Math.min(pending.size(), settings.batchRecords()));
                        while (!pending.isEmpty() && batch.size() < settings.batchRecords()) {
                            batch.add(pending.poll());
                        }
                    }
                    fromSpool = spooling;
                }
                if (!fromSpool) {
                    sendDirect(batch);
                    continue;
                }
                if (stopping && (lastDrainFailed || pastDeadline())) {
                    break;
                }
                DiskSpool.Batch peeked = spool.peek(settings.batchRecords());
                if (peeked.records().isEmpty()) {
                    synchronized (lock) {
                        if (spool.isEmpty()) {
                            spooling = false;
                            counters.spooling(false);
                            LOG.info("Spool drained; sending directly again ({})", counters.summary());
                        }
                    }
                    continue;
                }
                lastDrainFailed = !drain(peeked);
                if (lastDrainFailed && !stopping) {
                    synchronized (lock) {
                        lock.wait(settings.retryBackoffMs());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Disk errors on the spool: nothing more can be kept safe; say so loudly.
            LOG.error("Sender stopped; samples are no longer published: {}", e.toString(), e);
            counters.fatal("sender stopped: " + e.getMessage());
        } finally {
            closeProducer(Duration.ofSeconds(5));
        }
    }

    private void sendDirect(List<SpoolRecord> batch) {
        Outcome[] outcomes = send(batch);
        List<SpoolRecord> retry = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes[i] == Outcome.ACKED) {
                counters.sent.incrementAndGet();
            } else if (outcomes[i] == Outcome.RETRY) {
                retry.add(batch.get(i));
            }
        }
        if (retry.isEmpty()) {
            return;
        }
        synchronized (lock) {
            if (!spooling) {
                LOG.warn(
                        "Cannot send ({}); spooling samples to {} until the broker and the schema registry"
                                + " take them",
                        counters.lastSendError(),
                        spool.dir());
            }
            spooling = true;
            counters.spooling(true);
            // Failed records first, then what was queued behind them: order is kept.
            List<SpoolRecord> rest = new ArrayList<>(pending);
            pending.clear();
            toSpool(retry);
            toSpool(rest);
        }
    }

    /** Sends a batch from the spool head; commits the acked prefix. True if all of it went. */
    private boolean drain(DiskSpool.Batch peeked) {
        List<SpoolRecord> records = peeked.records();
        Outcome[] outcomes = send(records);
        int prefix = 0;
        while (prefix < records.size() && outcomes[prefix] != Outcome.RETRY) {
            prefix++;
        }
        spool.commit(peeked, prefix);
        for (int i = 0; i < prefix; i++) {
            if (outcomes[i] == Outcome.ACKED) {
                counters.sent.incrementAndGet();
            }
        }
        int ackedAfterFailure = 0;
        for (int i = prefix; i < records.size(); i++) {
            if (outcomes[i] == Outcome.ACKED) {
                ackedAfterFailure++;
            }
        }
        if (ackedAfterFailure > 0) {
            // Only with a broker that flaps mid-batch; they stay spooled and are sent again.
            LOG.warn(
                    "{} spooled records were acked after an earlier one failed; they will be sent again"
                            + " (duplicates)",
                    ackedAfterFailure);
        }
        return prefix == records.size();
    }

    private enum Outcome {
        ACKED,
        RETRY,
        DROPPED
    }

    /** Hands every record to the producer and waits for each outcome. */
    private Outcome[] send(List<SpoolRecord> records) {
        Outcome[] outcomes = new Outcome[records.size()];
        @SuppressWarnings("unchecked")
        Future<RecordMetadata>[] futures = new Future[records.size()];
        Producer<byte[], byte[]> p;
        try {
            p = producer();
        } catch (RuntimeException e) {
            failed(e);
            Arrays.fill(outcomes, Outcome.RETRY);
            return outcomes;
        }
        boolean recreate = false;
        boolean registryAnswered = true;
        for (int i = 0; i < records.size(); i++) {
            SpoolRecord r;
            try {
                r = schemaIds == null ? records.get(i) : schemaIds.resolve(records.get(i));
            } catch (SchemaRegistryException e) {
                if (e.isTransient()) {
                    failed(e);
                    registryAnswered = false;
                    break; // this one and the rest wait, in order
                }
                outcomes[i] = Outcome.DROPPED;
                drop(1, "its schema is refused by the registry (" + e.getMessage() + "): " + records.get(i));
                continue;
            } catch (RuntimeException e) {
                outcomes[i] = Outcome.DROPPED;
                drop(1, e.getMessage() + ": " + records.get(i));
                continue;
            }
            Future<RecordMetadata> f;
            try {
                f = p.send(new ProducerRecord<>(r.topic(), null, r.timestampMs(), r.key(), r.value()));
            } catch (RuntimeException e) {
                // Not only KafkaException: whatever send() throws, the record stays ours to spool.
                failed(e);
                recreate = !(e instanceof RetriableException);
                break;
            }
            futures[i] = f;
            if (f.isDone() && retriableFailure(f)) {
                // No metadata within max.block.ms or buffer full: send() reports that through an
                // already failed future after blocking. The rest would block as long each; stop here.
                break;
            }
        }
        counters.registryUnreachable(!registryAnswered);
        // One deadline for the whole batch: the producer should resolve every record within
        // delivery.timeout.ms, but with no broker at all it can keep them queued far longer.
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.deliveryTimeoutMs() + 1_000);
        boolean abandoned = false;
        for (int i = 0; i < records.size(); i++) {
            if (outcomes[i] == Outcome.DROPPED) {
                continue;
            }
            if (futures[i] == null) {
                outcomes[i] = Outcome.RETRY;
                continue;
            }
            try {
                futures[i].get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                outcomes[i] = Outcome.ACKED;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (permanent(cause)) {
                    outcomes[i] = Outcome.DROPPED;
                    drop(
                            1,
                            "the broker rejects it (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                                    + "): " + records.get(i));
                } else {
                    outcomes[i] = Outcome.RETRY;
                    failed(cause);
                    recreate |= !(cause instanceof RetriableException);
                }
            } catch (TimeoutException e) {
                outcomes[i] = Outcome.RETRY;
                if (!abandoned) {
                    failed(new org.apache.kafka.common.errors.TimeoutException(
                            "no answer from the broker within " + (settings.deliveryTimeoutMs() + 1_000) + " ms"));
                }
                abandoned = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcomes[i] = Outcome.RETRY;
                abandoned = true;
            }
        }
        if (abandoned) {
            // Close at once, which aborts what the producer still holds: those records are spooled
            // now and must not also reach the broker later from this producer's buffer.
            closeProducer(Duration.ZERO);
        } else if (recreate) {
            // Not a plain timeout: the producer may be in a fatal state; start a fresh one.
            closeProducer(Duration.ofSeconds(5));
        }
        return outcomes;
    }

    private static boolean retriableFailure(Future<RecordMetadata> done) {
        try {
            done.get();
            return false;
        } catch (ExecutionException e) {
            return !permanent(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static boolean permanent(Throwable e) {
        return e instanceof InvalidTimestampException
                || e instanceof RecordTooLargeException
                || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidTopicException
                || e instanceof InvalidRecordException
                || e instanceof CorruptRecordException;
    }

    private void failed(Throwable e) {
        counters.sendFailed(e.getClass().getSimpleName() + ": " + e.getMessage(), System.currentTimeMillis());
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = producerFactory.get();
        }
        return producer;
    }

    private void closeProducer(Duration timeout) {
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                LOG.debug("Closing producer: {}", e.toString());
            }
            producer = null;
        }
    }

    private boolean pastDeadline() {
        return stopping && System.nanoTime() - stopDeadlineNanos > 0;
    }

    // ---- spool helpers (callers hold lock) ----

    private void toSpool(List<SpoolRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        int stored;
        try {
            stored = spool.append(records);
        } catch (RuntimeException e) {
            drop(records.size(), "cannot write to the spool: " + e.getMessage());
            return;
        }
        counters.spooled.addAndGet(stored);
        if (stored < records.size()) {
            drop(
                    records.size() - stored,
                    "the spool is full (" + spool.maxBytes()
                            + " bytes, --spool-max-bytes); newest samples are dropped");
        }
    }

    private void drop(int count, String why) {
        dropLog.drop(count, why);
    }
}
