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
import io.lmadvisor.qmp.RealQemu;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole executor path with real parts: a recommendation on the embedded broker, a real QEMU pair
 * migrating over loopback, the outcome on {@code lm.migration-outcomes}. Skipped without QEMU 9+.
 */
@WithEmbeddedKafka(partitions = 1)
class QmpExecutorRealQemuIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final RealQemu qemu = new RealQemu();

    @Test
    void aRecommendationOnKafkaBecomesARealMigrationAndItsOutcome(EmbeddedKafkaBroker broker) throws Exception {
        broker.createTopic(Topics.MIGRATION_RECOMMENDATIONS, 1, false);
        broker.createTopic(Topics.MIGRATION_OUTCOMES, 1, false);
        Map<String, Object> clients = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                "schema.registry.url",
                "mock://qmp-real-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        InventoryEntry entry = QmpMigrationExecutorQemuTest.pair(qemu, dir, "vm-real");
        MigrationRecommendation rec = QmpMigrationExecutorTest.recommendation(Algorithm.PRECOPY);
        rec.setVmId("vm-real");
        try (KafkaProducer<String, MigrationRecommendation> p = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                AvroSerdes.of(MigrationRecommendation.class, clients, false).serializer())) {
            p.send(new ProducerRecord<>(Topics.MIGRATION_RECOMMENDATIONS, "vm-real", rec))
                    .get();
        }

        AvroSerde<MigrationOutcome> outcomes = AvroSerdes.of(MigrationOutcome.class, clients, false);
        List<MigrationOutcome> got = new ArrayList<>();
        try (QmpExecutorRunner runner = new QmpExecutorRunner(
                        clients,
                        Inventory.of(Map.of("vm-real", entry)),
                        new QmpMigrationExecutor(QmpExecutorSettings.defaults()),
                        null);
                KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG, "real-it-reader",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new StringDeserializer(),
                        new ByteArrayDeserializer())) {
            runner.start();
            c.subscribe(List.of(Topics.MIGRATION_OUTCOMES));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                c.poll(Duration.ofMillis(200))
                        .forEach(r -> got.add(outcomes.deserializer().deserialize(r.topic(), r.value())));
                return !got.isEmpty();
            });
        }
        MigrationOutcome o = got.get(0);
        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals("vm-real", o.getVmId());
        assertTrue(o.getTotalTimeMs() > 0 && o.getTransferredBytes() > 0, o.toString());
        assertEquals("running", QmpMigrationExecutorQemuTest.status(entry.destinationQmp()));
    }
}
