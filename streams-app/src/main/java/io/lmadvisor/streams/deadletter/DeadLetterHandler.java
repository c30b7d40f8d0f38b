package io.lmadvisor.streams.deadletter;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.serde.SerializationFailure;
import io.lmadvisor.streams.TopicNames;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns every undecodable or implausible input record into a {@link DeadLetter} on lm.dead-letters,
 * with the original bytes, where it came from and why, and carries on. Anything else (a registry
 * outage, say) is not the record's fault and fails the task, so nothing good is dead-lettered.
 * Global-store topics (host samples, SLA policies) never reach this handler: their records are
 * decoded into {@link Validated} and dead-lettered by {@code LatestValueUpdater}.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    private static final AtomicLong DEAD_LETTERS = new AtomicLong();

    private Serializer<DeadLetter> serializer;
    private String application;
    private String topic = Topics.DEAD_LETTERS;

    /** Counts a dead letter written elsewhere (global-store topics). */
    public static void countDeadLetter() {
        DEAD_LETTERS.incrementAndGet();
    }

    /** Dead letters written by this JVM, for metrics. */
    public static long deadLetterCount() {
        return DEAD_LETTERS.get();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        serializer = AvroSerdes.of(DeadLetter.class, SchemaRegistries.fromConfig(configs), false).serializer();
        Object app = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        application = app == null ? null : app.toString();
        Object t = configs.get(TopicNames.DEAD_LETTER_TOPIC_CONFIG);
        if (t != null && !t.toString().isBlank()) {
            topic = t.toString();
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (!(exception instanceof SerializationFailure)) {
            LOG.error("cannot decode {}-{}@{} and it is not the record's fault; stopping the task", record.topic(),
                    record.partition(), record.offset(), exception);
            return Response.fail();
        }
        String reason = ((SerializationFailure) exception).reason();
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(record.topic())
                .setPartition(record.partition())
                .setOffset(record.offset())
                .setTimestamp(Instant.ofEpochMilli(record.timestamp()))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setReason(reason)
                .setErrorClass(exception.getClass().getName())
                .setApplication(application)
                .build();
        DEAD_LETTERS.incrementAndGet();
        LOG.warn("dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        byte[] value = serializer.serialize(topic, letter);
        return Response.resume(List.of(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), value)));
    }
}
