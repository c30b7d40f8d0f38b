package io.lmadvisor.executor;

import static io.lmadvisor.executor.Fixtures.WINDOW_END;
import static io.lmadvisor.executor.Fixtures.profile;
import static io.lmadvisor.executor.Fixtures.recommendation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.serde.WireFormat;
import io.lmadvisor.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithEmbeddedKafka(partitions = 2)
class MigrationExecutorRunnerIT {
    private static final String REGISTRY = "mock://executor-it";

    @BeforeAll
    static void topics(EmbeddedKafkaBroker broker) {
        for (String t : List.of(Topics.VM_PROFILES, Topics.MIGRATION_RECOMMENDATIONS, Topics.MIGRATION_OUTCOMES)) {
            broker.createTopic(t, 2, false);
        }
    }

    @Test
    void executesARecommendationAndPublishesItsOutcome(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, Object> clients = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), "schema.registry.url", REGISTRY);
        VmProfile profile = profile("vm-it", WINDOW_END);
        MigrationRecommendation rec = recommendation("vm-it", WINDOW_END, MigrationAlgorithm.XBZRLE);

        AvroSerde<VmProfile> profiles = AvroSerdes.of(VmProfile.class, clients, false);
        AvroSerde<MigrationRecommendation> recs = AvroSerdes.of(MigrationRecommendation.class, clients, false);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
            // A record that is not Avro wire format must be logged, counted and skipped.
            p.send(new ProducerRecord<>(
                            Topics.MIGRATION_RECOMMENDATIONS, "vm-it", "not avro".getBytes(StandardCharsets.UTF_8)))
                    .get();
            // Recommendation before its profile: the runner waits for the profile.
            p.send(new ProducerRecord<>(
                            Topics.MIGRATION_RECOMMENDATIONS,
                            "vm-it",
                            recs.serializer().serialize(Topics.MIGRATION_RECOMMENDATIONS, rec)))
                    .get();
            p.send(new ProducerRecord<>(
                            Topics.VM_PROFILES, "vm-it", profiles.serializer().serialize(Topics.VM_PROFILES, profile)))
                    .get();
        }

        ExecutorSettings settings = new ExecutorSettings(1.0, 0.0, 5L, "executor-it");
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        MigrationExecutorRunner.Stats stats;
        try (MigrationExecutorRunner runner = new MigrationExecutorRunner(clients, settings);
                KafkaConsumer<String, byte[]> c = outcomeConsumer(broker)) {
            runner.start();
            c.subscribe(List.of(Topics.MIGRATION_OUTCOMES));
            // Polled on this thread only: KafkaConsumer is single-threaded.
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        c.poll(Duration.ofMillis(200)).forEach(r -> {
                            if (r.key().equals("vm-it")) {
                                got.add(r);
                            }
                        });
                        return !got.isEmpty();
                    });
            // The bad record precedes the good one in the same partition, so it has been counted.
            stats = runner.stats();
            assertTrue(runner.failure().isEmpty(), () -> String.valueOf(runner.failure()));
        }

        assertEquals(1, got.size());
        ConsumerRecord<String, byte[]> r = got.get(0);
        assertEquals("vm-it", r.key());
        assertTrue(WireFormat.isWireFormat(r.value()));
        assertEquals(WireFormat.MAGIC_BYTE, r.value()[0]);
        MigrationOutcome o = AvroSerdes.of(MigrationOutcome.class, clients, false)
                .deserializer()
                .deserialize(Topics.MIGRATION_OUTCOMES, r.value());
        assertEquals("vm-it", o.getVmId());
        assertEquals(MigrationAlgorithm.XBZRLE, o.getAlgorithm());
        assertEquals(
                SimulatedExecutor.migrationId("vm-it", WINDOW_END, io.lmadvisor.model.Algorithm.XBZRLE),
                o.getMigrationId());
        assertEquals("host-a", o.getSourceHostId());
        assertEquals("host-b", o.getDestinationHostId());
        assertEquals(rec.getCreatedAt(), o.getStartTime());
        assertEquals(o.getStartTime().plusMillis(o.getTotalTimeMs()), o.getEndTime());
        assertEquals(o.getEndTime().toEpochMilli(), r.timestamp());
        assertEquals(MigrationStatus.COMPLETED, o.getStatus());
        assertEquals("model-7", o.getRecommendationModelVersion());
        assertEquals("simulator", o.getExecutor());

        // Same inputs through a fresh executor give the very record that was published.
        MigrationOutcome expected = new SimulatedExecutor(settings)
                .execute(profile, rec, rec.getCreatedAt())
                .orElseThrow();
        assertEquals(expected, o);

        assertEquals(1, stats.executed());
        assertEquals(1, stats.badRecords());
        assertEquals(0, stats.waiting());
    }

    @Test
    void runForADurationSkipsRecommendationsWithoutDestination(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, Object> clients = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), "schema.registry.url", REGISTRY);
        MigrationRecommendation noDestination = MigrationRecommendation.newBuilder(
                        recommendation("vm-nodest", WINDOW_END, null))
                .setDestinationHostId(null)
                .build();
        AvroSerde<VmProfile> profiles = AvroSerdes.of(VmProfile.class, clients, false);
        AvroSerde<MigrationRecommendation> recs = AvroSerdes.of(MigrationRecommendation.class, clients, false);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            Topics.VM_PROFILES,
                            "vm-nodest",
                            profiles.serializer().serialize(Topics.VM_PROFILES, profile("vm-nodest", WINDOW_END))))
                    .get();
            p.send(new ProducerRecord<>(
                            Topics.MIGRATION_RECOMMENDATIONS,
                            "vm-nodest",
                            recs.serializer().serialize(Topics.MIGRATION_RECOMMENDATIONS, noDestination)))
                    .get();
        }

        // Own group: reads both topics from the start, including the other test's records.
        ExecutorSettings settings = new ExecutorSettings(1.0, 0.0, 5L, "executor-it-run");
        try (MigrationExecutorRunner runner = new MigrationExecutorRunner(clients, settings)) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        runner.run(Duration.ofSeconds(1));
                        return runner.executor().skippedCounts().get(SimulatedExecutor.SkipReason.NO_DESTINATION)
                                != null;
                    });
            assertEquals(1L, runner.executor().skippedCounts().get(SimulatedExecutor.SkipReason.NO_DESTINATION));
            assertTrue(runner.stats().skipped() >= 1);
        }
    }

    private static KafkaConsumer<String, byte[]> outcomeConsumer(EmbeddedKafkaBroker broker) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, "outcome-reader");
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
