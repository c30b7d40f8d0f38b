package io.lmadvisor.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.PoisonRecords.Poison;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.recommend.HandModel;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@link PoisonRecords} catalogue injected into a running advisor on a real broker, between
 * good samples: each poison record has exactly one committed dead letter, and every good VM's windows
 * still hold every one of its samples.
 */
@WithEmbeddedKafka(partitions = 4)
class PoisonRecordsIT {
    private static final String SCOPE = "poison-records-it";
    private static final int VMS = 8;
    private static final int SECONDS = 80;
    private static final int POISON_AT_SECOND = 30;

    @TempDir
    Path stateDir;

    @Test
    void everyPoisonRecordHasExactlyOneCommittedDeadLetterAndGoodVmsKeepFullWindows(EmbeddedKafkaBroker broker) {
        for (var spec : Topics.all()) {
            broker.createTopic(spec.name(), 4, spec.compacted());
        }
        Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
        SchemaRegistry registry = SchemaRegistries.fromConfig(registryConfig);
        AdvisorSerdes serdes = AdvisorSerdes.create(registry, Clock.systemUTC());
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "advisor-poison-it");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.putAll(DeadLetters.handlerProperties());
        RecommendationEngine engine = new RecommendationEngine(new Scorer(new HandModel()), "hand-1", 2);
        // Event time only: windows close by stream time, so a slow machine cannot close one early by the wall clock.
        AdvisorTopology.Settings settings = AdvisorTopology.Settings.DEFAULTS.eventTimeOnly();
        // Event time a few minutes back, so the whole run is produced at once.
        Instant t0 = Instant.now().minus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MINUTES);
        List<Poison> poisons = PoisonRecords.all(registry, t0.plusSeconds(POISON_AT_SECOND));
        try (MockRegistryScope ignored = new MockRegistryScope();
                AdvisorApplication app = AdvisorApplication.builder()
                        .properties(p)
                        .settings(settings)
                        .serdes(serdes)
                        .engine(() -> engine)
                        .build();
                KafkaProducer<byte[], byte[]> producer = producer(broker)) {
            app.start();
            host(producer, serdes, t0);
            good(producer, serdes, t0, 0, POISON_AT_SECOND);
            for (Poison poison : poisons) {
                producer.send(
                        new ProducerRecord<>(poison.topic(), null, poison.timestampMs(), poison.key(), poison.value()));
            }
            producer.flush();
            good(producer, serdes, t0, POISON_AT_SECOND, SECONDS);

            List<DeadLetter> letters = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> reader = committedReader(broker, Topics.DEAD_LETTERS)) {
                var decode = AvroSerdes.of(DeadLetter.class, registry, false).deserializer();
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    reader.poll(Duration.ofMillis(200))
                            .forEach(r -> letters.add(decode.deserialize(r.topic(), r.value())));
                    assertEquals(
                            List.of(),
                            poisons.stream()
                                    .filter(x -> letters.stream().noneMatch(d -> x.isFor(d)))
                                    .toList(),
                            "poison records without a dead letter");
                });
                // And no more for a while, so a duplicate would show up.
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(6))
                        .until(() -> {
                            reader.poll(Duration.ofMillis(200))
                                    .forEach(r -> letters.add(decode.deserialize(r.topic(), r.value())));
                            return letters.size() == poisons.size();
                        });
            }
            assertEquals(poisons.size(), letters.size(), "one dead letter per poison record: " + letters);
            for (Poison poison : poisons) {
                List<DeadLetter> mine =
                        letters.stream().filter(d -> poison.isFor(d)).toList();
                assertEquals(1, mine.size(), poison + ": " + mine);
                assertTrue(
                        mine.get(0).getReason().contains(poison.reasonFragment()),
                        poison + ": '" + mine.get(0).getReason() + "' should contain '" + poison.reasonFragment()
                                + "'");
            }

            // Every good VM's windows up to 60 s closed with all 20 of their samples.
            List<VmProfile> profiles = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> reader = committedReader(broker, Topics.VM_PROFILES)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                        VmProfile profile = r.value() == null ? null : tryDecode(serdes, r);
                        if (profile != null
                                && profile.getVmId().startsWith("vm-good-")
                                && !profile.getWindowEnd().isAfter(t0.plusSeconds(60))) {
                            profiles.add(profile);
                        }
                    }
                    return profiles.size() >= VMS * 3;
                });
            }
            assertEquals(VMS * 3, profiles.size(), profiles.toString());
            for (VmProfile profile : profiles) {
                assertEquals(20, profile.getSampleCount(), profile.toString());
            }
            assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
        }
    }

    /** The poison profiles injected into lm.vm-profiles are no profiles of ours. */
    private static VmProfile tryDecode(AdvisorSerdes serdes, ConsumerRecord<byte[], byte[]> r) {
        try {
            return serdes.vmProfile().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void host(KafkaProducer<byte[], byte[]> producer, AdvisorSerdes serdes, Instant at) {
        HostSample h = HostSample.newBuilder()
                .setHostId("h0")
                .setTimestamp(at)
                .setCpuCores(4)
                .setCpuAvailPercent(300)
                .setMemTotalMb(16384)
                .setMemAvailMb(12000)
                .setMigrationLinkSpeedMBps(125)
                .setMigrationLinkAvailMBps(100)
                .build();
        producer.send(new ProducerRecord<>(
                Topics.HOST_SAMPLES,
                utf8("h0"),
                serdes.hostSample().serializer().serialize(Topics.HOST_SAMPLES, h)));
    }

    private static void good(
            KafkaProducer<byte[], byte[]> producer, AdvisorSerdes serdes, Instant t0, int from, int to) {
        for (int s = from; s < to; s++) {
            for (int v = 0; v < VMS; v++) {
                String vm = "vm-good-" + v;
                VmSample sample = VmSample.newBuilder()
                        .setVmId(vm)
                        .setHostId("h0")
                        .setTimestamp(t0.plusSeconds(s))
                        .setMemorySizeMb(2048)
                        .setVmSizeMb(1024)
                        .setDirtiedPagesPerSec(100)
                        .setCpuUtilPercent(10)
                        .build();
                producer.send(new ProducerRecord<>(
                        Topics.VM_SAMPLES,
                        null,
                        t0.plusSeconds(s).toEpochMilli(),
                        utf8(vm),
                        serdes.vmSample().serializer().serialize(Topics.VM_SAMPLES, sample)));
            }
        }
        producer.flush();
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker broker) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> committedReader(EmbeddedKafkaBroker broker, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-it-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Drops the test's registry scope last. */
    private static final class MockRegistryScope implements AutoCloseable {
        @Override
        public void close() {
            MockSchemaRegistry.drop(SCOPE);
        }
    }
}
