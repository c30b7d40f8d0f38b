package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.VmSample;
import io.lmadvisor.streams.deadletter.RecordValidator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Windows follow the agent's sampling time, not the time the record reached Kafka. A record the
 * processor will dead-letter (a tombstone, a negative or skewed event time) gets the partition's
 * current time instead, so it can never move stream time for the other VMs of its partition; a
 * negative time would also make Kafka Streams drop the record without a dead letter.
 */
public final class VmSampleTimestampExtractor implements TimestampExtractor {
    private final RecordValidator validator;

    public VmSampleTimestampExtractor(RecordValidator validator) {
        this.validator = validator;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof VmSample sample) {
            long ts = sample.getTimestamp().toEpochMilli();
            if (validator.timestampProblem(ts) == null) {
                return ts;
            }
        }
        return Math.max(partitionTime, 0);
    }
}
