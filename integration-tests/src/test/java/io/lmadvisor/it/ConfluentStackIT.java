package io.lmadvisor.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.IncompatibleSchemaException;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Our registry client, serdes and commands against a real Apache Kafka and a real Confluent Schema
 * Registry, the images docker-compose.yml runs. Skipped (not failed) where no Docker engine runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentStackIT {
    // Same tags as docker-compose.yml.
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:8.0.0";

    private static final Network NETWORK = Network.newNetwork();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
            .withNetwork(NETWORK)
            .withNetworkAliases("kafka")
            .withListener("kafka:19092")
            // exactly_once_v2 on one broker
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
            .withNetwork(NETWORK)
            .withNetworkAliases("schema-registry")
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));

    private static String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    }

    private static Schema thing(boolean withRequiredField) {
        SchemaBuilder.FieldAssembler<Schema> f =
                SchemaBuilder.record("Thing").namespace("it").fields().requiredString("a");
        return (withRequiredField ? f.requiredLong("b") : f).endRecord();
    }

    private static JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(registryUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void registerThenLookUpByIdAndBySubjectVersion() throws Exception {
        SchemaRegistry client = SchemaRegistries.fromConfig(Map.of("schema.registry.url", registryUrl()));
        String subject = "it-" + UUID.randomUUID() + "-value";
        int id = client.register(subject, thing(false));
        assertEquals(id, client.register(subject, thing(false)), "registering again returns the same id");
        assertEquals(thing(false), client.getById(id));
        assertEquals(id, client.getIdFor(subject, thing(false)));
        JsonNode version1 = getJson("/subjects/" + subject + "/versions/1");
        assertEquals(id, version1.get("id").asInt());
        assertEquals(
                thing(false), new Schema.Parser().parse(version1.get("schema").asText()));
        assertEquals("BACKWARD", client.getCompatibility(subject), "Confluent's default level");
    }

    @Test
    void anIncompatibleSchemaIsRejectedWith409() {
        SchemaRegistry client = SchemaRegistries.fromConfig(Map.of("schema.registry.url", registryUrl()));
        String subject = "it-" + UUID.randomUUID() + "-value";
        client.register(subject, thing(false));
        client.setCompatibility(subject, "BACKWARD");
        assertFalse(
                client.testCompatibility(subject, thing(true)), "a new required field without default breaks BACKWARD");
        IncompatibleSchemaException e =
                assertThrows(IncompatibleSchemaException.class, () -> client.register(subject, thing(true)));
        assertEquals(409, e.httpStatus(), e.getMessage());
    }

    @Test
    void aRecordWeWriteIsReadThroughTheRealRegistry() throws Exception {
        Map<String, Object> config =
                Map.of("bootstrap.servers", KAFKA.getBootstrapServers(), "schema.registry.url", registryUrl());
        String topic = "it-samples-" + UUID.randomUUID();
        VmSample sample = new SimpleFleet(2, 2, 7).vmSamples(Instant.now()).get(0);
        try (AvroSerde<VmSample> serde = AvroSerdes.of(VmSample.class, config, false);
                KafkaProducer<String, VmSample> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", KAFKA.getBootstrapServers()),
                        new StringSerializer(),
                        serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, sample.getVmId(), sample)).get(30, TimeUnit.SECONDS);
        }
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", KAFKA.getBootstrapServers()),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            await("the record arrived")
                    .atMost(Duration.ofSeconds(30))
                    .pollInSameThread()
                    .pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                        return !values.isEmpty();
                    });
        }
        byte[] bytes = values.get(values.size() - 1);
        assertNotNull(bytes, "the record has a value");
        // Wire format: magic 0, the registry's schema id, Avro binary; decoded with only what the registry says.
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        assertEquals(0, buf.get());
        int id = buf.getInt();
        Schema writer = new Schema.Parser()
                .parse(getJson("/schemas/ids/" + id).get("schema").asText());
        GenericRecord generic = new GenericDatumReader<GenericRecord>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertEquals(sample.getVmId(), generic.get("vmId").toString());
        assertEquals(
                id,
                getJson("/subjects/" + topic + "-value/versions/latest")
                        .get("id")
                        .asInt());
        // And a fresh deserializer, as another process would have, gets the record back whole.
        try (AvroSerde<VmSample> other = AvroSerdes.of(VmSample.class, config, false)) {
            assertEquals(sample, other.deserializer().deserialize(topic, bytes));
        }
    }

    @Test
    void theStreamsAppAndTheAgentProduceRecommendations(@TempDir Path dir) throws Exception {
        String bootstrap = KAFKA.getBootstrapServers();
        Process topics = run(dir, "topics", List.of("topics", "create", "--bootstrap-servers", bootstrap), Map.of());
        assertTrue(topics.waitFor(2, TimeUnit.MINUTES), "topics create finished");
        assertEquals(0, topics.exitValue(), tail(dir, "topics"));
        int httpPort = freePort();
        Process streams = run(
                dir,
                "streams",
                List.of("streams"),
                Map.of(
                        "LM_BOOTSTRAP_SERVERS",
                        bootstrap,
                        "LM_SCHEMA_REGISTRY_URL",
                        registryUrl(),
                        "LM_APPLICATION_ID",
                        "lm-advisor-it-" + UUID.randomUUID(),
                        "LM_STATE_DIR",
                        dir.resolve("state").toString(),
                        "LM_HTTP_PORT",
                        String.valueOf(httpPort),
                        // Short windows so the first recommendation comes within seconds.
                        "LM_WINDOW_MS",
                        "5000",
                        "LM_GRACE_MS",
                        "1000"));
        Process agent = run(
                dir,
                "agent",
                List.of(
                        "agent",
                        "simulate",
                        "--vms",
                        "6",
                        "--hosts",
                        "3",
                        "--duration",
                        "3m",
                        "--bootstrap-servers",
                        bootstrap,
                        "--schema-registry-url",
                        registryUrl()),
                Map.of());
        try {
            List<MigrationRecommendation> seen = new ArrayList<>();
            Map<String, Object> config = Map.of("schema.registry.url", registryUrl());
            try (AvroSerde<MigrationRecommendation> serde =
                            AvroSerdes.of(MigrationRecommendation.class, config, false);
                    KafkaConsumer<String, MigrationRecommendation> consumer = new KafkaConsumer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    bootstrap,
                                    ConsumerConfig.GROUP_ID_CONFIG,
                                    "it-" + UUID.randomUUID(),
                                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                    "earliest",
                                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                    "read_committed"),
                            new StringDeserializer(),
                            serde.deserializer())) {
                consumer.subscribe(List.of(Topics.MIGRATION_RECOMMENDATIONS));
                try {
                    await().atMost(Duration.ofMinutes(3))
                            .pollInSameThread()
                            .pollInterval(Duration.ZERO)
                            .until(() -> {
                                consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
                                return !seen.isEmpty() || !streams.isAlive();
                            });
                } catch (ConditionTimeoutException e) {
                    // Reported below, with the logs.
                }
            }
            assertFalse(
                    seen.isEmpty(),
                    "no recommendation within 3 minutes; logs:\n" + tail(dir, "streams") + tail(dir, "agent"));
            MigrationRecommendation rec = seen.get(0);
            assertTrue(rec.getVmId().startsWith("vm-"), rec.getVmId());
            // Algorithm and destination are null when no host can take the VM; the reason says so.
            assertFalse(rec.getReason().isBlank());
            assertTrue(rec.getModelVersion().startsWith("gbt-"), rec.getModelVersion());
            // Both components registered their schemas in the real registry.
            String subjects = getJson("/subjects").toString();
            assertTrue(subjects.contains(Topics.VM_SAMPLES + "-value"), subjects);
            assertTrue(subjects.contains(Topics.MIGRATION_RECOMMENDATIONS + "-value"), subjects);
            HttpResponse<String> health = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"UP\""), health.body());
        } finally {
            agent.destroy();
            streams.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
            streams.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code lm-advisor ARGS} in a child JVM on this test's classpath, output to a log file. */
    private static Process run(Path dir, String name, List<String> args, Map<String, String> env) throws IOException {
        // The forked test JVM's class path (possibly a manifest-only jar, which java -cp honours too).
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-cp",
                classPath,
                "io.lmadvisor.cli.LmAdvisor"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String tail(Path dir, String name) throws IOException {
        File f = dir.resolve(name + ".log").toFile();
        if (!f.exists()) {
            return "";
        }
        List<String> lines = Files.readAllLines(f.toPath());
        return "--- " + name + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))
                + "\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
