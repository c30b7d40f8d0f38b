package io.lmadvisor.streams.deadletter;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net behind explicit validation (KIP-1033): whatever a processor throws for one record
 * (an {@link InvalidRecordException} from a check, or a bug) turns that record into one dead letter
 * with its original bytes, and processing goes on with the next record.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.fromConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String reason = DeadLetters.reason(exception, "processor " + context.processorNodeId());
        if (context.topic() == null) {
            // A punctuation, not a record: nothing to dead-letter; the next punctuation tries again.
            LOG.error("punctuation of processor {} failed; carrying on: {}", context.processorNodeId(), reason);
            return Response.resume();
        }
        if (!(exception instanceof InvalidRecordException)) {
            LOG.error(
                    "processor {} failed on {}-{}@{}; dead-lettered: {}",
                    context.processorNodeId(),
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    exception.toString());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("dead-lettered {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
        }
        return Response.resume(List.of(deadLetters.record(
                context,
                context.sourceRawKey(),
                context.sourceRawValue(),
                reason,
                exception.getClass().getName())));
    }
}
