package io.lmadvisor.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.nio.ByteBuffer;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Avro records cross a real broker in Confluent wire format, registered in the mock:// registry. */
@WithEmbeddedKafka
class AvroWireFormatRoundTripIT {
    private static final String SCOPE = "wire-format-it";
    private final Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://" + SCOPE);

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.drop(SCOPE);
    }

    @Test
    void recordsRoundTripThroughTheBrokerInWireFormat(EmbeddedKafkaBroker broker) {
        broker.createTopic(Topics.VM_SAMPLES, 3, false);
        broker.createTopic(Topics.MIGRATION_OUTCOMES, 3, false);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<VmSample> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(VmSample.newBuilder()
                    .setVmId("vm-" + (i % 5))
                    .setHostId("host-1")
                    .setTimestamp(now.plusSeconds(i))
                    .setMemorySizeMb(2048)
                    .setVmSizeMb(1000.5 + i)
                    .setDirtiedPagesPerSec(1234.0 * i)
                    .setWorkingSetPages(i == 3 ? null : 10L * i)
                    .setChangedPageEntropy(0.5)
                    .setInstructionsPerSec(null)
                    .setCpuUtilPercent(42.0)
                    .build());
        }
        MigrationOutcome outcome = MigrationOutcome.newBuilder()
                .setMigrationId("m-1")
                .setVmId("vm-1")
                .setAlgorithm(MigrationAlgorithm.XBZRLE)
                .setSourceHostId("host-1")
                .setDestinationHostId("host-2")
                .setBandwidthMBps(117.5)
                .setStartTime(now)
                .setEndTime(now.plusSeconds(9))
                .setStatus(io.lmadvisor.avro.MigrationStatus.COMPLETED)
                .setTotalTimeMs(9000L)
                .setDowntimeMs(210L)
                .build();

        var sampleSerde = AvroSerdes.of(VmSample.class, serdeConfig, false);
        var outcomeSerde = AvroSerdes.of(MigrationOutcome.class, serdeConfig, false);
        try (KafkaProducer<String, VmSample> p =
                        new KafkaProducer<>(producerProps(broker), new StringSerializer(), sampleSerde.serializer());
                KafkaProducer<String, MigrationOutcome> po =
                        new KafkaProducer<>(producerProps(broker), new StringSerializer(), outcomeSerde.serializer())) {
            for (VmSample s : sent) {
                p.send(new ProducerRecord<>(Topics.VM_SAMPLES, s.getVmId(), s));
            }
            po.send(new ProducerRecord<>(Topics.MIGRATION_OUTCOMES, outcome.getVmId(), outcome));
        }

        SchemaRegistry registry = SchemaRegistries.fromConfig(serdeConfig);
        List<ConsumerRecord<String, byte[]>> raw = consume(broker, Topics.VM_SAMPLES, sent.size());
        int expectedId = registry.getIdFor(Topics.VM_SAMPLES + "-value", VmSample.getClassSchema());
        List<VmSample> received = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            ByteBuffer header = ByteBuffer.wrap(r.value());
            assertEquals(0, header.get(), "magic byte");
            assertEquals(expectedId, header.getInt(), "big-endian schema id of subject lm.vm-samples-value");
            received.add(sampleSerde.deserializer().deserialize(r.topic(), r.value()));
        }
        received.sort((a, b) -> a.getTimestamp().compareTo(b.getTimestamp()));
        assertEquals(sent, received);
        assertNull(received.get(3).getWorkingSetPages());

        ConsumerRecord<String, byte[]> o =
                consume(broker, Topics.MIGRATION_OUTCOMES, 1).get(0);
        assertEquals(outcome, outcomeSerde.deserializer().deserialize(o.topic(), o.value()));
        assertEquals(
                registry.getIdFor(Topics.MIGRATION_OUTCOMES + "-value", MigrationOutcome.getClassSchema()),
                ByteBuffer.wrap(o.value(), 1, 4).getInt());
    }

    private static Properties producerProps(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }

    private static List<ConsumerRecord<String, byte[]>> consume(
            EmbeddedKafkaBroker broker, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            await("records consumed from " + topic)
                    .atMost(Duration.ofSeconds(30))
                    .pollInSameThread()
                    .pollInterval(Duration.ZERO)
                    .until(() -> {
                        c.poll(Duration.ofMillis(200)).forEach(out::add);
                        return out.size() >= expected;
                    });
        }
        assertEquals(expected, out.size(), "records consumed from " + topic);
        return out;
    }
}
