package io.lmadvisor.streams.backtest;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.TopicRange;
import io.lmadvisor.topics.TopicSet;
import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Replays recorded samples through the advisor topology under a fresh application id, into topics
 * prefixed {@code lm.backtest.<run-id>.}, and scores the replay against the recorded outcomes.
 *
 * <p>It reads the live input and outcome topics and never writes them, nor the live application's state.
 * Same inputs and model give the same report: windows close by event time only, the replay's host and
 * policy state is loaded before processing starts, and the report is computed from sorted records.
 */
public final class Backtest {
    public static final String TOPIC_PREFIX = "lm.backtest.";
    public static final String APPLICATION_ID_PREFIX = "lm-advisor-backtest-";
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * @param config   the advisor's settings: cluster, registry, security, window, grace, top-k
     * @param policies SLA policies by vmId (or {@code default}) to replay with; null: the live lm.sla-policies as of {@code to}
     * @param timeout  longest wait for the replay to consume its input
     */
    public record Request(
            AdvisorConfig config,
            Instant from,
            Instant to,
            String runId,
            ModelArtifact model,
            Map<String, SlaPolicy> policies,
            Duration timeout) {
        public Request {
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("--from must be before --to");
            }
            if (!RUN_ID.matcher(runId).matches()) {
                throw new IllegalArgumentException("run id must be 1-64 of [A-Za-z0-9._-], got '" + runId + "'");
            }
        }
    }

    /** A finished replay: its report, and the topics it wrote. */
    public record Result(
            BacktestReport report,
            TopicSet topics,
            String applicationId,
            long samplesReplayed,
            long hostSamplesReplayed,
            int profiles,
            int recommendations,
            long unreadableRecords) {}

    public interface Progress {
        void report(String message);
    }

    private final Request request;
    private final Progress progress;
    private final TopicSet topics;
    private final String applicationId;
    private final Map<String, Object> connection;
    private final SchemaRegistry registry;
    private final AdvisorSerdes serdes;
    private long unreadable;
    private volatile AdvisorApplication running;
    private volatile boolean cancelled;

    public Backtest(Request request, Progress progress) {
        this.request = request;
        this.progress = progress;
        this.topics = TopicSet.prefixed(TOPIC_PREFIX + request.runId() + ".");
        this.applicationId = APPLICATION_ID_PREFIX + request.runId();
        Properties props = request.config().streamsProperties();
        this.connection = ClientSettings.kafkaConnection(props);
        this.registry = SchemaRegistries.fromConfig(request.config().registryConfig());
        this.serdes = AdvisorSerdes.create(registry, Clock.systemUTC());
    }

    public Result run() throws IOException, InterruptedException {
        long fromMs = request.from().toEpochMilli();
        long toMs = request.to().toEpochMilli();
        createTopics();

        List<HostSample> hostSamples = new ArrayList<>();
        Deserializer<HostSample> hostReader = serdes.hostSample().deserializer();
        long vmSamples = copy(Topics.VM_SAMPLES, topics.of(Topics.VM_SAMPLES), fromMs, toMs, r -> {});
        long hostCount = copy(
                Topics.HOST_SAMPLES,
                topics.of(Topics.HOST_SAMPLES),
                fromMs,
                toMs,
                r -> decode(hostReader, r).ifPresent(hostSamples::add));
        Map<String, SlaPolicy> policies =
                request.policies() != null ? writePolicies(request.policies()) : copyLivePolicies(toMs);
        progress.report(String.format(
                "copied %d VM samples and %d host samples from %s to %s into %s*; %d SLA policies",
                vmSamples,
                hostCount,
                request.from(),
                request.to(),
                TOPIC_PREFIX + request.runId() + ".",
                policies.size()));
        if (vmSamples == 0) {
            throw new IllegalStateException("no VM samples on " + Topics.VM_SAMPLES + " between " + request.from()
                    + " and " + request.to() + ": nothing to backtest");
        }

        replay();

        List<VmProfile> profiles =
                readAll(topics.of(Topics.VM_PROFILES), serdes.vmProfile().deserializer());
        List<MigrationRecommendation> recommendations = readAll(
                topics.of(Topics.MIGRATION_RECOMMENDATIONS),
                serdes.recommendation().deserializer());
        List<MigrationOutcome> outcomes = recordedOutcomes(fromMs, toMs);
        progress.report(String.format(
                "replay produced %d profiles and %d recommendations; %d recorded outcomes started in the range",
                profiles.size(), recommendations.size(), outcomes.size()));
        BacktestReport report = BacktestReport.compute(
                request.model().versionId(),
                request.model().model(),
                profiles,
                recommendations,
                outcomes,
                hostSamples,
                policies);
        return new Result(
                report,
                topics,
                applicationId,
                vmSamples,
                hostCount,
                profiles.size(),
                recommendations.size(),
                unreadable);
    }

    private void createTopics() throws InterruptedException {
        List<NewTopic> create = new ArrayList<>();
        for (TopicSpec spec : Topics.all()) {
            if (spec.name().equals(Topics.MODEL_EVENTS)) {
                continue; // continuous calibration's output; a backtest runs no calibration
            }
            create.add(new NewTopic(topics.of(spec.name()), Optional.of(spec.defaultPartitions()), Optional.empty())
                    .configs(spec.topicConfigs()));
        }
        try (Admin admin = Admin.create(connection)) {
            for (var e : admin.createTopics(create).values().entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof TopicExistsException) {
                        throw new IllegalStateException(
                                "topic " + e.getKey() + " exists: run id '" + request.runId()
                                        + "' was used before; choose another --run-id",
                                ex.getCause());
                    }
                    throw new IllegalStateException(
                            "cannot create " + e.getKey() + ": " + ex.getCause().getMessage(), ex.getCause());
                }
            }
        }
    }

    /** Copies records with timestamps in [fromMs, toMs] partition by partition, keeping offsets' order and timestamps. */
    private long copy(
            String source, String target, long fromMs, long toMs, Consumer<ConsumerRecord<byte[], byte[]>> seen) {
        long[] copied = {0};
        java.util.concurrent.atomic.AtomicReference<Exception> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = byteProducer()) {
            int targetPartitions;
            try (KafkaConsumer<byte[], byte[]> c = byteConsumer()) {
                targetPartitions = TopicRange.partitions(c, target).size();
            }
            readRange(source, fromMs, r -> {
                if (r.timestamp() <= toMs) {
                    seen.accept(r);
                    producer.send(
                            new ProducerRecord<>(
                                    target,
                                    r.partition() % targetPartitions,
                                    r.timestamp(),
                                    r.key(),
                                    r.value(),
                                    r.headers()),
                            (md, e) -> {
                                if (e != null) {
                                    failed.compareAndSet(null, e);
                                }
                            });
                    copied[0]++;
                }
            });
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException(
                    "cannot copy " + source + " to " + target + ": "
                            + failed.get().getMessage(),
                    failed.get());
        }
        return copied[0];
    }

    private Map<String, SlaPolicy> writePolicies(Map<String, SlaPolicy> policies) {
        try (KafkaProducer<String, SlaPolicy> producer = new KafkaProducer<>(
                producerConfig(), new StringSerializer(), serdes.slaPolicy().serializer())) {
            for (Map.Entry<String, SlaPolicy> e : new java.util.TreeMap<>(policies).entrySet()) {
                producer.send(new ProducerRecord<>(topics.of(Topics.SLA_POLICIES), e.getKey(), e.getValue()));
            }
            producer.flush();
        }
        return policies;
    }

    private Map<String, SlaPolicy> copyLivePolicies(long toMs) {
        Map<String, SlaPolicy> latest = new LinkedHashMap<>();
        Deserializer<SlaPolicy> reader = serdes.slaPolicy().deserializer();
        copy(Topics.SLA_POLICIES, topics.of(Topics.SLA_POLICIES), 0, toMs, r -> {
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (key == null) {
                unreadable++;
            } else if (r.value() == null) {
                latest.remove(key);
            } else {
                decode(reader, r).ifPresent(p -> latest.put(key, p));
            }
        });
        return latest;
    }

    /** Runs the topology until its committed offsets reach the end of the copied samples. */
    private void replay() throws IOException, InterruptedException {
        Properties props = request.config().streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500");
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        props.put(DeadLetters.DEAD_LETTER_TOPIC_CONFIG, topics.of(Topics.DEAD_LETTERS));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        Map<TopicPartition, Long> end;
        try (KafkaConsumer<byte[], byte[]> c = byteConsumer()) {
            end = c.endOffsets(TopicRange.partitions(c, topics.of(Topics.VM_SAMPLES)));
        }
        long deadline = System.nanoTime() + request.timeout().toNanos();
        AdvisorMetrics metrics = new AdvisorMetrics();
        try (ModelSource model =
                        ModelSource.fixed(request.model(), request.config().topK());
                AdvisorApplication app = AdvisorApplication.builder()
                        .properties(props)
                        .settings(request.config().settings().eventTimeOnly())
                        .topics(topics)
                        .serdes(serdes)
                        .engine(model)
                        .metrics(metrics)
                        .temporaryState()
                        .failFast()
                        .build();
                Admin admin = Admin.create(connection)) {
            running = app;
            if (cancelled) {
                throw new IllegalStateException("the backtest was stopped");
            }
            app.start();
            long lastReport = 0;
            while (true) {
                KafkaStreams.State state = app.streams().state();
                if (cancelled) {
                    throw new IllegalStateException("the backtest was stopped");
                }
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("the replay's Kafka Streams application stopped: " + state);
                }
                Map<TopicPartition, OffsetAndMetadata> committed;
                try {
                    committed = admin.listConsumerGroupOffsets(applicationId)
                            .partitionsToOffsetAndMetadata()
                            .get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(
                            "cannot read the replay's progress: " + e.getCause().getMessage(), e);
                }
                long remaining = 0;
                for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    remaining += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
                }
                if (remaining == 0) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the replay did not finish within "
                            + request.timeout().toSeconds() + " s; " + remaining + " samples left");
                }
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    progress.report(String.format(
                            "replaying: %d samples left, %d profiles so far", remaining, metrics.profiles.sum()));
                    lastReport = System.nanoTime();
                }
                Thread.sleep(200);
            }
        } finally {
            running = null;
        }
    }

    /**
     * Stops a running replay from another thread (SIGTERM): its Kafka Streams closes within
     * {@link AdvisorApplication#CLOSE_TIMEOUT} and its temporary state directory is deleted.
     */
    public void cancel() {
        cancelled = true;
        AdvisorApplication app = running;
        if (app != null) {
            app.close();
        }
    }

    private List<MigrationOutcome> recordedOutcomes(long fromMs, long toMs) {
        Deserializer<MigrationOutcome> reader =
                AvroSerdes.of(MigrationOutcome.class, registry, false).deserializer();
        List<MigrationOutcome> out = new ArrayList<>();
        // Outcomes are written when a migration ends, so none that started in the range has an earlier timestamp.
        readRange(
                Topics.MIGRATION_OUTCOMES,
                fromMs,
                r -> decode(reader, r).ifPresent(o -> {
                    long start = o.getStartTime().toEpochMilli();
                    if (start >= fromMs && start <= toMs) {
                        out.add(o);
                    }
                }));
        out.sort(Comparator.comparing(MigrationOutcome::getStartTime)
                .thenComparing(o -> o.getMigrationId().toString()));
        return out;
    }

    private <T> List<T> readAll(String topic, Deserializer<T> reader) {
        List<T> out = new ArrayList<>();
        readRange(topic, 0, r -> decode(reader, r).ifPresent(out::add));
        return out;
    }

    /** Reads a topic from the first record at or after {@code fromMs} to the end offsets as of now. */
    private void readRange(String topic, long fromMs, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = byteConsumer()) {
            TopicRange.read(consumer, topic, fromMs, each);
        }
    }

    private <T> Optional<T> decode(Deserializer<T> reader, ConsumerRecord<byte[], byte[]> r) {
        try {
            return Optional.ofNullable(reader.deserialize(r.topic(), r.value()));
        } catch (RuntimeException e) {
            unreadable++;
            progress.report("skipped unreadable record " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": "
                    + e.getMessage());
            return Optional.empty();
        }
    }

    private KafkaConsumer<byte[], byte[]> byteConsumer() {
        Map<String, Object> c = new HashMap<>(connection);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> c = new HashMap<>(connection);
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        // One request in flight: the copy keeps each partition's order even across retries on a loaded broker.
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return c;
    }

    private KafkaProducer<byte[], byte[]> byteProducer() {
        return new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
