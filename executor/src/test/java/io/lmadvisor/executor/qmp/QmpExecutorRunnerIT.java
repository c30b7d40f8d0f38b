package io.lmadvisor.executor.qmp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recommendations from a real broker in, migrations of scripted QEMUs, outcomes out. */
@WithEmbeddedKafka(partitions = 1)
class QmpExecutorRunnerIT {
    private static final String REGISTRY = "mock://qmp-executor-it";

    @TempDir
    Path dir;

    @BeforeAll
    static void topics(EmbeddedKafkaBroker broker) {
        for (String t : List.of(Topics.MIGRATION_RECOMMENDATIONS, Topics.MIGRATION_OUTCOMES)) {
            broker.createTopic(t, 1, false);
        }
    }

    private static void send(EmbeddedKafkaBroker broker, Map<String, Object> clients, MigrationRecommendation... recs)
            throws Exception {
        AvroSerde<MigrationRecommendation> serde = AvroSerdes.of(MigrationRecommendation.class, clients, false);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            Topics.MIGRATION_RECOMMENDATIONS, "bad", "not avro".getBytes(StandardCharsets.UTF_8)))
                    .get();
            for (MigrationRecommendation r : recs) {
                p.send(new ProducerRecord<>(
                                Topics.MIGRATION_RECOMMENDATIONS,
                                r.getVmId(),
                                serde.serializer().serialize(Topics.MIGRATION_RECOMMENDATIONS, r)))
                        .get();
            }
        }
    }

    private static MigrationRecommendation forVm(String vmId, Algorithm a) {
        MigrationRecommendation r = QmpMigrationExecutorTest.recommendation(a);
        r.setVmId(vmId);
        return r;
    }

    @Test
    void migratesInventoryVmsOncePublishesOutcomesAndRefusesOthers(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, Object> clients = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                "schema.registry.url",
                REGISTRY,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.GROUP_ID_CONFIG,
                "qmp-it");
        send(
                broker,
                clients,
                forVm("vm-1", Algorithm.COMPRESS),
                forVm("vm-foreign", Algorithm.PRECOPY),
                forVm("vm-1", Algorithm.PRECOPY));
        Inventory inventory = Inventory.of(Map.of(
                "vm-1",
                InventoryEntry.of("vm-1", dir.resolve("src.qmp"), dir.resolve("dst.qmp"), "tcp:127.0.0.1:4444")));
        QmpMigrationExecutor executor = new QmpMigrationExecutor(
                QmpExecutorSettings.defaults().withBaseline(Duration.ZERO).withPollInterval(Duration.ofMillis(5)));

        List<MigrationOutcome> got = new ArrayList<>();
        try (FakeQemu src = new FakeQemu(dir.resolve("src.qmp"), "running");
                FakeQemu dst = new FakeQemu(dir.resolve("dst.qmp"), "inmigrate");
                KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG, "qmp-it-reader",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new StringDeserializer(),
                        new ByteArrayDeserializer())) {
            AvroSerde<MigrationOutcome> outcomes = AvroSerdes.of(MigrationOutcome.class, clients, false);
            QmpExecutorRunner.Stats stats;
            try (QmpExecutorRunner runner = new QmpExecutorRunner(clients, inventory, executor, null)) {
                runner.start();
                c.subscribe(List.of(Topics.MIGRATION_OUTCOMES));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    c.poll(Duration.ofMillis(200))
                            .forEach(r -> got.add(outcomes.deserializer().deserialize(r.topic(), r.value())));
                    return !got.isEmpty() && runner.stats().skipped() == 1;
                });
                stats = runner.stats();
            }
            assertEquals(1, got.size());
            MigrationOutcome o = got.get(0);
            assertEquals("vm-1", o.getVmId());
            assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
            assertEquals("qmp", o.getExecutor());
            assertEquals("zstd", o.getAppliedParameters().get("multifd-compression"));
            assertEquals(
                    List.of("migrate-set-capabilities", "migrate-set-parameters", "migrate-incoming"),
                    dst.mutatingCommands());
            assertEquals(1, stats.executed());
            assertEquals(1, stats.refused());
            assertEquals(1, stats.badRecords());
            // The second recommendation for vm-1: its inventory entry is spent.
            assertEquals(1, stats.skipped());
        }
    }

    @Test
    void dryRunPrintsTheCommandsAndSendsNothing(EmbeddedKafkaBroker broker) throws Exception {
        Map<String, Object> clients = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                "schema.registry.url",
                REGISTRY,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.GROUP_ID_CONFIG,
                "qmp-it-dry");
        Inventory inventory = Inventory.of(Map.of(
                "vm-dry",
                InventoryEntry.of("vm-dry", dir.resolve("none-src.qmp"), dir.resolve("none-dst.qmp"), "tcp:h:1")));
        send(broker, clients, forVm("vm-dry", Algorithm.POSTCOPY));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
                QmpExecutorRunner runner = new QmpExecutorRunner(
                        clients, inventory, new QmpMigrationExecutor(QmpExecutorSettings.defaults()), out)) {
            runner.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.stats().executed() == 1);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\"execute\":\"migrate-start-postcopy\""), text);
        assertTrue(text.lines().allMatch(l -> l.startsWith("{\"vmId\":\"vm-dry\"")), text);
    }
}
