package io.lmadvisor.streams.deadletter;

import io.lmadvisor.serde.SerializationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every undecodable or implausible input record into a {@code DeadLetter} on lm.dead-letters,
 * with the original bytes, where it came from and why, and carries on. Anything else (a registry
 * outage, say) is not the record's fault and fails the task, so nothing good is dead-lettered.
 * Global-store topics (host samples, SLA policies) reach it through {@code GlobalTopicChecks}, once across
 * instances; their global threads decode them into {@link Validated} and skip the bad ones.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    private static final AtomicLong DEAD_LETTERS = new AtomicLong();

    private DeadLetters deadLetters;

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
        deadLetters = DeadLetters.fromConfig(configs);
    }

    @Override
    public Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (!(exception instanceof SerializationFailure)) {
            LOG.error(
                    "cannot decode {}-{}@{} and it is not the record's fault; stopping the task",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    exception);
            return Response.fail();
        }
        String reason = ((SerializationFailure) exception).reason();
        LOG.debug("dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        return Response.resume(List.of(deadLetters.record(
                context,
                record.key(),
                record.value(),
                reason,
                exception.getClass().getName())));
    }
}
