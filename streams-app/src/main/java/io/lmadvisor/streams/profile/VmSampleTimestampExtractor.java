package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.VmSample;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/** Windows follow the agent's sampling time, not the time the record reached Kafka. */
public final class VmSampleTimestampExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object value = record.value();
        if (value instanceof VmSample) {
            return ((VmSample) value).getTimestamp().toEpochMilli();
        }
        return record.timestamp();
    }
}
