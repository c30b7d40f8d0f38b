package io.lmadvisor.embedded.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local registry across a broker restart with a kept data dir: real broker, real
 * {@code _schemas} topic, real wire format. Ids stay, versions/latest answers, a client that kept
 * running goes on working, and a consumer that joins afterwards decodes every record.
 */
class DurableRegistryIT {
    private static final String TOPIC = "lm.host-samples";

    @TempDir
    Path tmp;

    private record Running(EmbeddedKafkaBroker broker, KafkaSchemaStore store, RegistryHttpServer http)
            implements AutoCloseable {
        @Override
        public void close() {
            http.close();
            store.close();
            broker.close();
        }
    }

    private Running start(int kafkaPort, int registryPort) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDir(tmp.resolve("kafka"))
                .port(kafkaPort)
                .startupTimeout(Duration.ofSeconds(60))
                .build()
                .start();
        KafkaSchemaStore store =
                KafkaSchemaStore.open(Map.of("bootstrap.servers", broker.bootstrapServers()), Duration.ofSeconds(30));
        RegistryHttpServer http =
                new RegistryHttpServer(store.registry(), new InetSocketAddress("127.0.0.1", registryPort)).start();
        return new Running(broker, store, http);
    }

    private static Schema thing(int n) {
        return SchemaBuilder.record("Thing" + n)
                .namespace("t")
                .fields()
                .requiredString("a")
                .endRecord();
    }

    private static HostSample sample(int i) {
        return HostSample.newBuilder()
                .setHostId("h" + i)
                .setTimestamp(Instant.now())
                .setCpuCores(4)
                .setCpuAvailPercent(100)
                .setMemTotalMb(1024)
                .setMemAvailMb(512)
                .setMigrationLinkSpeedMBps(125)
                .setMigrationLinkAvailMBps(100)
                .build();
    }

    private static void produce(String bootstrap, Serializer<HostSample> serializer, int from, int to) {
        Map<String, Object> cfg = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(cfg, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(TOPIC, serializer.serialize(TOPIC, sample(i))));
            }
            p.flush();
        }
    }

    @Test
    void idsSurviveABrokerRestartAndEveryRecordDecodesAfterwards() throws Exception {
        int kafkaPort = freePort();
        int registryPort = freePort();
        Map<String, Object> registryConfig = Map.of(
                "schema.registry.url",
                "http://127.0.0.1:" + registryPort,
                "schema.registry.max.retries",
                10,
                "schema.registry.retry.backoff.max.ms",
                1000);
        Map<String, Integer> idsBefore = new HashMap<>();
        // A producer's serializer that lives through the restart, as a running agent's would.
        Serializer<HostSample> longLived =
                AvroSerdes.of(HostSample.class, registryConfig, false).serializer();
        SchemaRegistry client = SchemaRegistries.fromConfig(registryConfig);

        try (Running first = start(kafkaPort, registryPort)) {
            first.broker().createTopic(TOPIC, 1, false);
            idsBefore.put("a-value", client.register("a-value", thing(1)));
            idsBefore.put("b-value", client.register("b-value", thing(2)));
            produce(first.broker().bootstrapServers(), longLived, 0, 50);
            idsBefore.put(TOPIC + "-value", client.getIdFor(TOPIC + "-value", HostSample.getClassSchema()));
        }

        try (Running second = start(kafkaPort, registryPort)) {
            assertEquals(3, second.store().restored(), "every stored version is read back");
            SchemaRegistry fresh = SchemaRegistries.fromConfig(registryConfig);
            // Registered again in another order, each schema keeps its id.
            assertEquals(
                    idsBefore.get(TOPIC + "-value"), fresh.register(TOPIC + "-value", HostSample.getClassSchema()));
            assertEquals(idsBefore.get("b-value"), fresh.register("b-value", thing(2)));
            assertEquals(idsBefore.get("a-value"), fresh.register("a-value", thing(1)));
            for (int id : idsBefore.values()) {
                fresh.getById(id);
            }
            int newId = fresh.register("c-value", thing(3));
            assertTrue(
                    newId
                            > idsBefore.values().stream()
                                    .mapToInt(Integer::intValue)
                                    .max()
                                    .orElseThrow(),
                    "ids are never reused");
            // The client from before the restart (its pooled connection is stale) resolves what is new.
            assertEquals(thing(3), client.getById(newId));
            assertEquals(newId, client.getIdFor("c-value", thing(3)));
            var latest = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(second.http()
                                                            .url() + "/subjects/" + TOPIC + "-value/versions/latest"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .body());
            assertEquals((int) idsBefore.get(TOPIC + "-value"), latest.get("id").asInt());

            // The client that kept running writes on, with no restart.
            produce(second.broker().bootstrapServers(), longLived, 50, 100);

            // A subscriber that joins now decodes all 100, written before and after the restart.
            Deserializer<HostSample> deserializer =
                    AvroSerdes.of(HostSample.class, registryConfig, false).deserializer();
            List<String> hosts = new ArrayList<>();
            Map<String, Object> c = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    second.broker().bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "late-subscriber",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest");
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(TOPIC));
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .pollInSameThread()
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> {
                            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                                hosts.add(deserializer
                                        .deserialize(TOPIC, r.value())
                                        .getHostId());
                            }
                            return hosts.size() >= 100;
                        });
            }
            assertEquals(100, hosts.size());
            for (int i = 0; i < 100; i++) {
                assertEquals("h" + i, hosts.get(i));
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
