package io.lmadvisor.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistryException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the local registry's schemas the way Confluent's Schema Registry does: in a
 * single-partition compacted {@code _schemas} topic on the broker it fronts, with Confluent's
 * record layout (JSON keys {@code {"keytype":"SCHEMA","subject":..,"version":..,"magic":1}} and
 * {@code {"keytype":"CONFIG",..}}). At start the topic is read to its end; every change is
 * written and acknowledged (acks=all) before the registry applies it and answers. Ids are global
 * and never reused. One writer only: the registry of one {@code lm-advisor broker}.
 */
public final class KafkaSchemaStore implements MockSchemaRegistry.Journal, AutoCloseable {
    public static final String TOPIC = "_schemas";
    /** Confluent's codes for a store that failed or did not answer in time. */
    static final int STORE_ERROR = 50001;

    static final int STORE_TIMEOUT = 50002;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<byte[], byte[]> producer;
    private final Duration timeout;
    /** A registration waits at most this for its write: well inside an HTTP client's patience. */
    private final Duration writeTimeout;

    private final MockSchemaRegistry registry;
    private int restored;
    private int skipped;

    private KafkaSchemaStore(Map<String, Object> client, Duration timeout) {
        this.timeout = timeout;
        this.writeTimeout = timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
        Map<String, Object> p = new HashMap<>(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "lm-schema-registry");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) writeTimeout.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) writeTimeout.toMillis() / 2);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) writeTimeout.toMillis());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.registry = new MockSchemaRegistry(this);
    }

    /**
     * Creates {@code _schemas} when missing (1 partition, compacted), reads it to its end and
     * returns the store, whose {@link #registry()} holds every schema it ever stored.
     *
     * @param client Kafka client settings: bootstrap.servers and any security settings
     * @throws IllegalStateException when the topic has the wrong shape or cannot be read in time
     */
    public static KafkaSchemaStore open(Map<String, Object> client, Duration timeout) {
        ensureTopic(client, timeout);
        KafkaSchemaStore store = new KafkaSchemaStore(client, timeout);
        try {
            store.readAll(client);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** The registry state; changes made through it are stored here first. */
    public MockSchemaRegistry registry() {
        return registry;
    }

    /** Schema versions and settings read at start. */
    public int restored() {
        return restored;
    }

    /** Records of {@code _schemas} that could not be used (logged with their offset). */
    public int skipped() {
        return skipped;
    }

    @Override
    public void schemaVersion(String subject, int version, int id, String schemaText) {
        ObjectNode key = JSON.createObjectNode()
                .put("keytype", "SCHEMA")
                .put("subject", subject)
                .put("version", version)
                .put("magic", 1);
        ObjectNode value = JSON.createObjectNode()
                .put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", schemaText)
                .put("deleted", false);
        write(key, value);
    }

    @Override
    public void compatibility(String subjectOrNullForGlobal, String level) {
        ObjectNode key = JSON.createObjectNode()
                .put("keytype", "CONFIG")
                .put("subject", subjectOrNullForGlobal)
                .put("magic", 0);
        write(key, JSON.createObjectNode().put("compatibilityLevel", level));
    }

    private void write(ObjectNode key, ObjectNode value) {
        try {
            producer.send(new ProducerRecord<>(TOPIC, 0, bytes(key), bytes(value)))
                    .get(writeTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SchemaRegistryException(
                    "Timed out storing the schema in the " + TOPIC + " topic; is the broker running?",
                    500,
                    STORE_TIMEOUT,
                    e);
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SchemaRegistryException(
                    "Cannot store the schema in the " + TOPIC + " topic: " + cause.getMessage(),
                    500,
                    STORE_ERROR,
                    cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while storing the schema", 500, STORE_TIMEOUT, e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void readAll(Map<String, Object> client) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "lm-schema-registry-reader");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            while (consumer.position(tp, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read the " + TOPIC + " topic to its end (" + end
                            + ") within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    restore(r);
                }
            }
        }
        LOG.info(
                "Schema registry: {} schema versions and settings restored from {}{}",
                restored,
                TOPIC,
                skipped > 0 ? " (" + skipped + " records skipped)" : "");
    }

    /** Applies one stored record; bad ones are skipped with a warning, never fatal. */
    private void restore(ConsumerRecord<byte[], byte[]> r) {
        try {
            if (r.key() == null || r.value() == null) {
                // A tombstone (hard delete in Confluent's layout): nothing this registry replays.
                return;
            }
            JsonNode key = JSON.readTree(r.key());
            JsonNode value = JSON.readTree(r.value());
            String type = key.path("keytype").asText("");
            if (type.equals("SCHEMA")) {
                String schemaType = value.path("schemaType").asText("AVRO");
                if (!schemaType.equals("AVRO")) {
                    throw new IllegalArgumentException(schemaType + " schemas are not supported");
                }
                registry.restoreVersion(
                        text(value, "subject"),
                        value.path("version").asInt(-1),
                        value.path("id").asInt(-1),
                        text(value, "schema"),
                        value.path("deleted").asBoolean(false));
                restored++;
            } else if (type.equals("CONFIG")) {
                JsonNode subject = key.get("subject");
                registry.restoreCompatibility(
                        subject == null || subject.isNull() ? null : subject.asText(),
                        text(value, "compatibilityLevel"));
                restored++;
            }
            // NOOP, MODE, DELETE_SUBJECT and other key types carry nothing this registry serves.
        } catch (IOException | RuntimeException e) {
            skipped++;
            LOG.warn("Schema registry: skipped {} offset {}: {}", TOPIC, r.offset(), e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("no '" + field + "' field");
        }
        return v.asText();
    }

    private static void ensureTopic(Map<String, Object> client, Duration timeout) {
        Map<String, Object> a = new HashMap<>(client);
        a.put(AdminClientConfig.CLIENT_ID_CONFIG, "lm-schema-registry-admin");
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(a)) {
            try {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
                                .configs(Map.of(
                                        TopicConfig.CLEANUP_POLICY_CONFIG,
                                        TopicConfig.CLEANUP_POLICY_COMPACT,
                                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                                        "1"))))
                        .all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Schema registry: created the {} topic", TOPIC);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "Cannot create the " + TOPIC + " topic: "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            TopicDescription d = admin.describeTopics(Set.of(TOPIC))
                    .allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(TOPIC);
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            Config config = admin.describeConfigs(Set.of(res))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(res);
            String cleanup = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (d.partitions().size() != 1 || !cleanup.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new IllegalStateException("The " + TOPIC + " topic must have 1 partition and"
                        + " cleanup.policy=compact, but has " + d.partitions().size() + " partition(s) and "
                        + cleanup);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Cannot inspect the " + TOPIC + " topic: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "The broker did not answer about the " + TOPIC + " topic within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing " + TOPIC, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
