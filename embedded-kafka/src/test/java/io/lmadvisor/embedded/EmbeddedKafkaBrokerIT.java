package io.lmadvisor.embedded;

import static io.lmadvisor.embedded.KafkaTestClients.consumer;
import static io.lmadvisor.embedded.KafkaTestClients.pollAtLeast;
import static io.lmadvisor.embedded.KafkaTestClients.producer;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle of a standalone broker: restart on a kept data dir, close, ports, failures. */
class EmbeddedKafkaBrokerIT {

    @Test
    void keptDataDirSurvivesARestartWithTheSameClusterId(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        String clusterId;
        int firstPort;
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().dataDir(dataDir).build().start()) {
            clusterId = broker.clusterId();
            firstPort = broker.port();
            broker.createTopic("durable", 1, false);
            try (KafkaProducer<String, String> p = producer(broker, Map.of())) {
                for (int i = 0; i < 10; i++) {
                    p.send(new ProducerRecord<>("durable", "k" + i, "v" + i)).get();
                }
            }
        }
        assertTrue(Files.exists(dataDir.resolve("meta.properties")), "kept data dir must not be deleted");

        // Fresh free ports on purpose: the CLI may restart on other ports than before.
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().dataDir(dataDir).build().start()) {
            assertEquals(clusterId, broker.clusterId(), "no re-format on restart");
            assertNotEquals(0, firstPort);
            try (KafkaConsumer<String, String> c = consumer(broker, Map.of())) {
                c.assign(List.of(new org.apache.kafka.common.TopicPartition("durable", 0)));
                List<String> values = pollAtLeast(c, 10, Duration.ofSeconds(20)).stream()
                        .map(ConsumerRecord::value)
                        .collect(Collectors.toList());
                assertEquals(10, values.size());
                assertEquals("v0", values.get(0));
                assertEquals("v9", values.get(9));
            }
        }
    }

    @Test
    void closeIsIdempotentFreesTheFixedPortAndDeletesTheTempDir() throws IOException {
        int port = EmbeddedKafkaBroker.freePort();
        EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().port(port).build().start();
        assertTrue(broker.isRunning());
        assertEquals("127.0.0.1:" + port, broker.bootstrapServers());
        Path dataDir = broker.dataDir();
        assertTrue(Files.isDirectory(dataDir));

        long t0 = System.nanoTime();
        broker.close();
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        assertDoesNotThrow(broker::close);
        assertFalse(broker.isRunning());
        assertFalse(Files.exists(dataDir), "temporary data dir deleted on close");
        assertThrows(IllegalStateException.class, broker::bootstrapServers);
        assertThrows(IllegalStateException.class, broker::start);
        assertTrue(closeMs < 10_000, "close took " + closeMs + " ms");

        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, s.getLocalPort());
        }
    }

    @Test
    void autoCreateIsOffSoUnknownTopicsFailLoudly() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
                KafkaProducer<String, String> p = producer(broker, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000))) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("no-such-topic", "k", "v"))
                            .get());
            assertInstanceOf(TimeoutException.class, e.getCause());
        }
    }

    @Test
    void portInUseGivesAClearException() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                    .port(taken.getLocalPort())
                    .startupTimeout(Duration.ofSeconds(20))
                    .build();
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, broker::start);
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
            assertFalse(broker.isRunning());
            broker.close();
        }
    }
}
