package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.executor.ExecutorSettings;
import io.lmadvisor.executor.SimulatedExecutor;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.Learners;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.simulator.DatasetGenerator;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.backtest.Backtest;
import io.lmadvisor.streams.backtest.BacktestReport;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a run on a real broker (samples, and the outcomes of migrations executed from the advice),
 * then backtests it with two models: each report repeats exactly, the two differ, the model that knows
 * the simulator predicts it better, and the live topics stay untouched.
 */
@WithEmbeddedKafka
class BacktestIT {
    private static final String SCOPE = "backtest-it";
    private static final int VMS = 8;
    private static final int HOSTS = 4;
    private static final int SECONDS = 300;

    @AfterAll
    static void dropRegistry() {
        MockSchemaRegistry.drop(SCOPE);
    }

    @Test
    void backtestsAreDeterministicAndTellModelsApart(EmbeddedKafkaBroker broker, @TempDir Path tmp) throws Exception {
        TopicAdmin.createAll(broker.bootstrapServers(), 0);
        AdvisorConfig cfg = config(broker);
        Instant t0 = Instant.ofEpochMilli((System.currentTimeMillis() - 30 * 60_000L) / 20_000 * 20_000);
        Instant t1 = t0.plusSeconds(SECONDS);
        recordSamples(broker, t0);

        // The recorded run: advice from the bundled model, executed (30 % off-policy) by the simulator.
        ModelArtifact bundled = ModelArtifact.loadResource(ModelSource.BUNDLED_RESOURCE);
        Backtest.Result recording = new Backtest(
                        new Backtest.Request(cfg, t0, t1, "recording", bundled, null, Duration.ofMinutes(3)), m -> {})
                .run();
        Map<String, MigrationAlgorithm> advised = new HashMap<>();
        List<MigrationOutcome> outcomes = execute(broker, recording, advised);
        assertTrue(outcomes.size() >= 10, "executed migrations: " + outcomes.size());
        publishOutcomes(broker, outcomes);

        ModelArtifact weak = weakModel(tmp);
        BacktestReport first = run(cfg, t0, t1, "bundled-1", bundled);
        BacktestReport again = run(cfg, t0, t1, "bundled-2", bundled);
        BacktestReport other = run(cfg, t0, t1, "weak", weak);

        assertEquals(first, again, "same input and model, same report");
        assertEquals(first.evaluation().toCsv(), again.evaluation().toCsv());
        assertEquals(outcomes.size(), first.outcomes());
        assertEquals(0, first.withoutProfile());
        // Replaying the model that made the recorded advice reproduces it wherever the executor followed it.
        long onPolicy = outcomes.stream()
                .filter(o -> o.getAlgorithm()
                        == advised.get(o.getVmId() + "@" + o.getStartTime().toEpochMilli()))
                .count();
        assertTrue(onPolicy > 0 && onPolicy < outcomes.size(), "on-policy " + onPolicy + " of " + outcomes.size());
        assertEquals(onPolicy, first.agreed());
        assertEquals(outcomes.size() - onPolicy, first.differed());

        assertNotEquals(
                first.evaluation()
                        .toCsv()
                        .lines()
                        .skip(1)
                        .map(l -> l.substring(l.indexOf(',')))
                        .toList(),
                other.evaluation()
                        .toCsv()
                        .lines()
                        .skip(1)
                        .map(l -> l.substring(l.indexOf(',')))
                        .toList());
        int better = 0;
        int compared = 0;
        for (CellEvaluation c : first.evaluation().cells()) {
            if (c.target() != Target.TT && c.target() != Target.TD) {
                continue;
            }
            Optional<CellEvaluation> w = other.evaluation().cell(c.algorithm(), c.target());
            if (w.isPresent() && c.n() >= 3) {
                compared++;
                if (c.gMRE() < w.get().gMRE()) {
                    better++;
                }
            }
        }
        assertTrue(
                compared > 0 && better == compared,
                "bundled better on " + better + " of " + compared + " TT/TD cells:\n"
                        + first.evaluation().toCsv() + other.evaluation().toCsv());

        assertEquals(0, endOffsetSum(broker, Topics.VM_PROFILES), "live profiles untouched");
        assertEquals(0, endOffsetSum(broker, Topics.MIGRATION_RECOMMENDATIONS), "live recommendations untouched");
    }

    private static BacktestReport run(AdvisorConfig cfg, Instant from, Instant to, String runId, ModelArtifact model)
            throws Exception {
        return new Backtest(new Backtest.Request(cfg, from, to, runId, model, null, Duration.ofMinutes(3)), m -> {})
                .run()
                .report();
    }

    private static AdvisorConfig config(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.setProperty(AdvisorConfig.SCHEMA_REGISTRY_URL, "mock://" + SCOPE);
        return new AdvisorConfig(p);
    }

    private static Map<String, Object> producerConfig(EmbeddedKafkaBroker broker) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", broker.bootstrapServers());
        c.put("acks", "all");
        c.put("linger.ms", 10);
        return c;
    }

    private static void recordSamples(EmbeddedKafkaBroker broker, Instant t0) {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + SCOPE);
        SimpleFleet fleet = new SimpleFleet(HOSTS, VMS, 11);
        try (KafkaProducer<String, VmSample> vms = new KafkaProducer<>(
                        producerConfig(broker),
                        new StringSerializer(),
                        AvroSerdes.of(VmSample.class, registry, false).serializer());
                KafkaProducer<String, HostSample> hosts = new KafkaProducer<>(
                        producerConfig(broker),
                        new StringSerializer(),
                        AvroSerdes.of(HostSample.class, registry, false).serializer())) {
            for (int s = 0; s <= SECONDS; s++) {
                Instant at = t0.plusSeconds(s);
                for (HostSample h : fleet.hostSamples(at)) {
                    hosts.send(new ProducerRecord<>(Topics.HOST_SAMPLES, null, at.toEpochMilli(), h.getHostId(), h));
                }
                for (VmSample v : fleet.vmSamples(at)) {
                    vms.send(new ProducerRecord<>(Topics.VM_SAMPLES, null, at.toEpochMilli(), v.getVmId(), v));
                }
            }
        }
    }

    /** Runs every recorded recommendation in the simulator, two seconds after its profile closed. */
    private static List<MigrationOutcome> execute(
            EmbeddedKafkaBroker broker,
            Backtest.Result recording,
            Map<String, MigrationAlgorithm> advisedByVmAndStart) {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + SCOPE);
        var profileReader = AvroSerdes.of(VmProfile.class, registry, false).deserializer();
        var adviceReader =
                AvroSerdes.of(MigrationRecommendation.class, registry, false).deserializer();
        Map<String, VmProfile> profiles = new HashMap<>();
        for (byte[] v : readAll(broker, recording.topics().of(Topics.VM_PROFILES))) {
            VmProfile p = profileReader.deserialize(recording.topics().of(Topics.VM_PROFILES), v);
            profiles.put(p.getVmId() + "@" + p.getWindowEnd().toEpochMilli(), p);
        }
        SimulatedExecutor executor = new SimulatedExecutor(ExecutorSettings.defaults()
                .withExecuteFraction(1.0)
                .withOffPolicyFraction(0.3)
                .withSeed(5));
        List<MigrationOutcome> out = new ArrayList<>();
        for (byte[] v : readAll(broker, recording.topics().of(Topics.MIGRATION_RECOMMENDATIONS))) {
            MigrationRecommendation rec =
                    adviceReader.deserialize(recording.topics().of(Topics.MIGRATION_RECOMMENDATIONS), v);
            VmProfile p =
                    profiles.get(rec.getVmId() + "@" + rec.getProfileWindowEnd().toEpochMilli());
            Instant start = rec.getProfileWindowEnd().plusSeconds(2);
            executor.execute(p, rec, start).ifPresent(o -> {
                out.add(o);
                advisedByVmAndStart.put(o.getVmId() + "@" + start.toEpochMilli(), rec.getAlgorithm());
            });
        }
        return out;
    }

    private static void publishOutcomes(EmbeddedKafkaBroker broker, List<MigrationOutcome> outcomes) {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + SCOPE);
        try (KafkaProducer<String, MigrationOutcome> p = new KafkaProducer<>(
                producerConfig(broker),
                new StringSerializer(),
                AvroSerdes.of(MigrationOutcome.class, registry, false).serializer())) {
            for (MigrationOutcome o : outcomes) {
                p.send(new ProducerRecord<>(
                        Topics.MIGRATION_OUTCOMES, null, o.getEndTime().toEpochMilli(), o.getVmId(), o));
            }
        }
    }

    /** A gbt of three shallow trees on 600 simulated rows: the same features, far less skill. */
    // One stump per cell: 3 rounds of depth 2 came within 3 % of the bundled model on COMPRESS TT (n = 7) in one run.
    private static ModelArtifact weakModel(Path tmp) throws Exception {
        Path data = tmp.resolve("weak.csv");
        DatasetGenerator.generate(600, 3, DatasetFormat.CSAP512, data, DatasetGenerator.Progress.NONE);
        var records = DatasetFormat.CSAP512.read(data, ReadOptions.defaults()).records();
        MigrationModel m = Learners.byName("gbt", Map.of("rounds", "1", "max_depth", "1", "robust_iterations", "0"))
                .train(records, FeatureSchema.full(), 1, msg -> {});
        return ModelArtifact.of(m, "weak-test-model", Map.of(), Instant.EPOCH);
    }

    private static List<byte[]> readAll(EmbeddedKafkaBroker broker, String topic) {
        List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(broker)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    private static long endOffsetSum(EmbeddedKafkaBroker broker, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(broker)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            return c.endOffsets(parts).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafkaBroker broker) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
