package io.lmadvisor.embedded;

import static io.lmadvisor.embedded.KafkaTestClients.consumer;
import static io.lmadvisor.embedded.KafkaTestClients.pollAtLeast;
import static io.lmadvisor.embedded.KafkaTestClients.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The extension injects one running broker per class; plain and transactional traffic works. */
@WithEmbeddedKafka(partitions = 2)
class EmbeddedKafkaExtensionIT {

    private static EmbeddedKafkaBroker fromBeforeAll;
    private final EmbeddedKafkaBroker fromConstructor;

    EmbeddedKafkaExtensionIT(EmbeddedKafkaBroker broker) {
        this.fromConstructor = broker;
    }

    @BeforeAll
    static void keep(EmbeddedKafkaBroker broker) {
        fromBeforeAll = broker;
    }

    @Test
    void injectsOneRunningBrokerEverywhere(EmbeddedKafkaBroker broker) {
        assertTrue(broker.isRunning());
        assertSame(fromBeforeAll, broker);
        assertSame(fromConstructor, broker);
        assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());
    }

    @Test
    void producesAndConsumesThroughAConsumerGroup(EmbeddedKafkaBroker broker) {
        broker.createTopic("plain", 2, false);
        try (KafkaProducer<String, String> p = producer(broker, Map.of())) {
            for (int i = 0; i < 100; i++) {
                p.send(new ProducerRecord<>("plain", "vm-" + (i % 7), "v" + i));
            }
            p.flush();
        }
        try (KafkaConsumer<String, String> c = consumer(broker, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g1"))) {
            c.subscribe(List.of("plain"));
            List<ConsumerRecord<String, String>> got = pollAtLeast(c, 100, Duration.ofSeconds(20));
            assertEquals(100, got.size());
            assertEquals(
                    2, got.stream().map(ConsumerRecord::partition).distinct().count());
            c.commitSync(); // needs the offsets topic, i.e. replication factor 1 for it
        }
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly(EmbeddedKafkaBroker broker) {
        broker.createTopic("tx", 1, false);
        try (KafkaProducer<String, String> p = producer(
                broker,
                Map.of(
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "tx-test",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true))) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx", "k", "committed-1"));
            p.send(new ProducerRecord<>("tx", "k", "committed-2"));
            p.commitTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx", "k", "aborted"));
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx", "k", "committed-3"));
            p.commitTransaction();
        }
        try (KafkaConsumer<String, String> c = consumer(
                broker,
                Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, "tx-reader",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            c.subscribe(List.of("tx"));
            List<String> values = pollAtLeast(c, 3, Duration.ofSeconds(20)).stream()
                    .map(ConsumerRecord::value)
                    .collect(Collectors.toList());
            assertEquals(List.of("committed-1", "committed-2", "committed-3"), values);
        }
    }

    @Test
    void createsCompactedTopicsAndUsesDefaultPartitions(EmbeddedKafkaBroker broker) throws Exception {
        broker.createTopic("compacted", 1, true);
        broker.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(
                "defaults", java.util.Optional.empty(), java.util.Optional.empty())));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
            String policy = admin.describeConfigs(Set.of(res))
                    .all()
                    .get()
                    .get(res)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                    .value();
            assertEquals("compact", policy);
            TopicDescription d = admin.describeTopics(Set.of("defaults"))
                    .allTopicNames()
                    .get()
                    .get("defaults");
            assertEquals(2, d.partitions().size(), "num.partitions from @WithEmbeddedKafka");
        }
    }

    @Nested
    class NestedClass {
        @Test
        void sharesTheOuterBroker(EmbeddedKafkaBroker broker) {
            assertSame(fromBeforeAll, broker);
            assertTrue(broker.isRunning());
        }
    }
}
