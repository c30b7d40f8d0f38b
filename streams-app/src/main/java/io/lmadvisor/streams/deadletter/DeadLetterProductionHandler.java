package io.lmadvisor.streams.deadletter;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output that cannot be written because of the record itself (it cannot be serialized, or it is too
 * large for the topic) becomes a dead letter of its source record, and processing goes on. Transient
 * send errors are retried; anything else (authorization, a fenced producer) fails the task as usual.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.fromConfig(configs);
    }

    @Override
    public Response handleError(
            ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        if (exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException) {
            return deadLetter(context, "cannot write to " + record.topic() + ": " + exception.getMessage(), exception);
        }
        LOG.error("cannot write to {}: {}; stopping the task", record.topic(), exception.toString());
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(
            ErrorHandlerContext context,
            ProducerRecord record,
            Exception exception,
            SerializationExceptionOrigin origin) {
        return deadLetter(
                context,
                "cannot serialize the " + origin.name().toLowerCase() + " for " + record.topic() + ": "
                        + exception.getMessage(),
                exception);
    }

    private Response deadLetter(ErrorHandlerContext context, String reason, Exception exception) {
        if (context == null || context.topic() == null) {
            LOG.error("{}; no source record to dead-letter, carrying on", reason);
            return Response.resume();
        }
        LOG.warn("dead-lettered {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
        return Response.resume(List.of(deadLetters.record(
                context,
                context.sourceRawKey(),
                context.sourceRawValue(),
                reason,
                exception.getClass().getName())));
    }
}
