package io.lmadvisor.streams.deadletter;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Builds the dead-letter records the Kafka Streams handlers hand back to Kafka Streams, which sends
 * them with the task's own producer, so under exactly-once they commit with the task's transaction.
 * One place for the topic, the application name and the reason's one-line form.
 */
public final class DeadLetters {
    /** A reason longer than this is cut: it is one line for an operator, not a log. */
    static final int MAX_REASON_CHARS = 300;
    /** Config key the dead-letter handlers read (Kafka Streams builds them by class name): a replay's topic. */
    public static final String DEAD_LETTER_TOPIC_CONFIG = "lm.dead.letter.topic";

    private final Serializer<DeadLetter> serializer;
    private final String topic;
    private final String application;

    private DeadLetters(Serializer<DeadLetter> serializer, String topic, String application) {
        this.serializer = serializer;
        this.topic = topic;
        this.application = application;
    }

    /**
     * The Kafka Streams handler settings that route every bad record here: undecodable input, a record a
     * processor throws on (KIP-1033), output that cannot be written. Every way of starting the topology sets them.
     */
    public static Map<String, String> handlerProperties() {
        return Map.of(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterHandler.class.getName(),
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterProcessingHandler.class.getName(),
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterProductionHandler.class.getName());
    }

    /** From the configs Kafka Streams passes to a handler's {@code configure}. */
    public static DeadLetters fromConfig(Map<String, ?> configs) {
        Object app = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        Object t = configs.get(DEAD_LETTER_TOPIC_CONFIG);
        return new DeadLetters(
                AvroSerdes.of(DeadLetter.class, SchemaRegistries.fromConfig(configs), false)
                        .serializer(),
                t == null || t.toString().isBlank() ? Topics.DEAD_LETTERS : t.toString(),
                app == null ? null : app.toString());
    }

    /** The dead letter for the source record of {@code context}; its Kafka timestamp is when it failed. */
    public ProducerRecord<byte[], byte[]> record(
            ErrorHandlerContext context, byte[] key, byte[] value, String reason, String errorClass) {
        DeadLetter letter = letter(
                context.topic(),
                context.partition(),
                context.offset(),
                context.timestamp(),
                key,
                value,
                reason,
                errorClass,
                application);
        DeadLetterHandler.countDeadLetter();
        return new ProducerRecord<>(topic, null, System.currentTimeMillis(), key, serializer.serialize(topic, letter));
    }

    /** A dead letter as the schema has it; {@code reason} is made one line. */
    public static DeadLetter letter(
            String sourceTopic,
            int partition,
            long offset,
            long timestampMs,
            byte[] key,
            byte[] value,
            String reason,
            String errorClass,
            String application) {
        return DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic == null ? "unknown" : sourceTopic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(Instant.ofEpochMilli(timestampMs))
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(oneLine(reason))
                .setErrorClass(errorClass)
                .setApplication(application)
                .build();
    }

    /** The reason for {@code e}: a failed check says why itself; anything else names where it failed and what. */
    public static String reason(Exception e, String where) {
        if (e instanceof io.lmadvisor.serde.SerializationFailure f) {
            return f.reason();
        }
        String message = e.getMessage();
        return where + " failed: " + e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "no reason given";
        }
        String line = s.strip();
        // Most reasons are one line already: no regex for them (late samples are dead-lettered in bulk).
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            line = line.replaceAll("\\s*[\\r\\n]+\\s*", " | ");
        }
        return line.length() <= MAX_REASON_CHARS ? line : line.substring(0, MAX_REASON_CHARS - 1) + "…";
    }
}
