package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.registry.RegistryHttpServer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented secured setup, on a real broker: a SASL_PLAINTEXT listener with PLAIN users and a
 * registry that requires basic auth. Our commands and serdes get through with the right credentials
 * from a properties file, fail clearly with wrong ones, and never print the secrets.
 */
class SecuredSetupIT {
    private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String ALICE_PASSWORD = "alice-Kafka-secret";
    private static final String REGISTRY_USER_INFO = "lm:registry-secret";

    private static String jaas(String user, String password) {
        return PLAIN + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    @Test
    void rightCredentialsGetThroughWrongOnesFailClearlyAndSecretsStayHidden(@TempDir Path dir) throws Exception {
        try (RegistryHttpServer registry = new RegistryHttpServer(
                                new MockSchemaRegistry(), new InetSocketAddress("127.0.0.1", 0), REGISTRY_USER_INFO)
                        .start();
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                        .clientListenerSecurity(
                                "SASL_PLAINTEXT",
                                Map.of("sasl.mechanism", "PLAIN", "sasl.jaas.config", jaas("admin", "admin-secret")))
                        .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                        .brokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                        .brokerProperty(
                                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                                PLAIN
                                        + " required username=\"admin\" password=\"admin-secret\""
                                        + " user_admin=\"admin-secret\" user_alice=\"" + ALICE_PASSWORD + "\";")
                        .build()
                        .start()) {
            Path secured = dir.resolve("secured.properties");
            Files.writeString(
                    secured,
                    String.join(
                            "\n",
                            "bootstrap.servers=" + broker.bootstrapServers(),
                            "security.protocol=SASL_PLAINTEXT",
                            "sasl.mechanism=PLAIN",
                            "sasl.jaas.config=" + jaas("alice", ALICE_PASSWORD),
                            "schema.registry.url=" + registry.url(),
                            "basic.auth.user.info=" + REGISTRY_USER_INFO,
                            "lm.executor.execute.fraction=0.5",
                            ""));
            Path wrong = dir.resolve("wrong.properties");
            Files.writeString(wrong, Files.readString(secured).replace(ALICE_PASSWORD, "guess"));

            // Topics over SASL, with the code's partitions and cleanup policies.
            StringWriter err = new StringWriter();
            assertEquals(0, cli(err).execute("topics", "create", "--config", secured.toString()), err.toString());
            Map<String, Object> client = asMap(LayeredConfig.load(secured));
            try (Admin admin = Admin.create(kafkaOnly(client))) {
                Map<String, TopicDescription> described = admin.describeTopics(
                                Topics.all().stream().map(TopicSpec::name).toList())
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                for (TopicSpec spec : Topics.all()) {
                    assertEquals(
                            spec.defaultPartitions(),
                            described.get(spec.name()).partitions().size(),
                            spec.name());
                }
            }

            // A record through our serde and the authenticated registry, over SASL, read back.
            VmSample sample = new SimpleFleet(2, 2, 1).vmSamples(Instant.now()).get(0);
            try (AvroSerde<VmSample> serde = AvroSerdes.of(VmSample.class, client, false);
                    KafkaProducer<String, VmSample> producer =
                            new KafkaProducer<>(kafkaOnly(client), new StringSerializer(), serde.serializer());
                    KafkaConsumer<String, VmSample> consumer =
                            new KafkaConsumer<>(kafkaOnly(client), new StringDeserializer(), serde.deserializer())) {
                producer.send(new ProducerRecord<>(Topics.VM_SAMPLES, 0, sample.getVmId(), sample))
                        .get(30, TimeUnit.SECONDS);
                consumer.assign(List.of(new TopicPartition(Topics.VM_SAMPLES, 0)));
                consumer.seekToBeginning(consumer.assignment());
                List<VmSample> read = new ArrayList<>();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .pollInSameThread()
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> {
                            consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
                            return !read.isEmpty();
                        });
                assertEquals(sample, read.get(read.size() - 1));
            }

            // The executor runs against the secured cluster and logs its configuration without secrets.
            String executorLog = capturingStderr(() -> assertEquals(
                    0,
                    cli(new StringWriter()).execute("executor", "--config", secured.toString(), "--duration", "3s")));
            assertTrue(executorLog.contains("security.protocol=SASL_PLAINTEXT"), executorLog);
            assertTrue(executorLog.contains("sasl.jaas.config=[hidden]"), executorLog);
            for (String secret : List.of(ALICE_PASSWORD, "registry-secret")) {
                assertFalse(executorLog.contains(secret), secret + " leaked: " + executorLog);
            }

            // The agent publishes to the secured cluster through the same file: nothing spooled, nothing dropped.
            String agentLog = capturingStderr(() -> assertEquals(
                    0,
                    cli(new StringWriter())
                            .execute(
                                    "agent",
                                    "simulate",
                                    "--vms",
                                    "2",
                                    "--hosts",
                                    "2",
                                    "--config",
                                    secured.toString(),
                                    "--spool-dir",
                                    dir.resolve("spool").toString(),
                                    "--duration",
                                    "3s")));
            java.util.regex.Matcher sent = java.util.regex.Pattern.compile("done: taken (\\d+), sent (\\d+), spooled 0")
                    .matcher(agentLog);
            assertTrue(
                    sent.find()
                            && Integer.parseInt(sent.group(2)) > 0
                            && sent.group(1).equals(sent.group(2)),
                    agentLog);
            for (String secret : List.of(ALICE_PASSWORD, "registry-secret")) {
                assertFalse(agentLog.contains(secret), secret + " leaked: " + agentLog);
            }

            // Wrong password: the command fails, saying why, and does not echo the password it was given.
            StringWriter wrongErr = new StringWriter();
            assertEquals(1, cli(wrongErr).execute("topics", "create", "--config", wrong.toString()));
            assertTrue(wrongErr.toString().contains("Authentication failed"), wrongErr.toString());
            assertFalse(wrongErr.toString().contains("guess"), wrongErr.toString());

            Map<String, Object> wrongClient = asMap(LayeredConfig.load(wrong));
            wrongClient.put("max.block.ms", 10_000);
            try (AvroSerde<VmSample> serde = AvroSerdes.of(VmSample.class, client, false);
                    KafkaProducer<String, VmSample> producer =
                            new KafkaProducer<>(kafkaOnly(wrongClient), new StringSerializer(), serde.serializer())) {
                producer.send(new ProducerRecord<>(Topics.VM_SAMPLES, sample.getVmId(), sample))
                        .get(30, TimeUnit.SECONDS);
                fail("a producer with a wrong password must not get through");
            } catch (Exception e) {
                assertTrue(causedBy(e, SaslAuthenticationException.class), e.toString());
            }
        }
    }

    private static picocli.CommandLine cli(StringWriter err) {
        return LmAdvisor.commandLine().setErr(new PrintWriter(err, true));
    }

    private static Map<String, Object> asMap(Properties p) {
        Map<String, Object> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private static Map<String, Object> kafkaOnly(Map<String, Object> config) {
        Map<String, Object> m = new HashMap<>(config);
        m.keySet()
                .removeIf(k -> k.startsWith("schema.registry.") || k.startsWith("basic.auth.") || k.startsWith("lm."));
        return m;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String capturingStderr(Runnable action) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(saved);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
