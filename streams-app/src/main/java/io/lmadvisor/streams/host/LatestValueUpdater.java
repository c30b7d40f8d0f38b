package io.lmadvisor.streams.host;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.streams.deadletter.DeadLetterHandler;
import io.lmadvisor.streams.deadletter.DeadLetterPublisher;
import io.lmadvisor.streams.deadletter.Validated;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.ToLongFunction;

/**
 * Keeps the newest value per key in a global store (hosts, SLA policies). A tombstone deletes the key
 * (a policy removed); an older value than the stored one, by event time, is ignored; a bad record
 * goes to the dead letters and leaves the store as it was.
 */
public final class LatestValueUpdater<V> implements Processor<String, Validated<V>, Void, Void> {
    private final String storeName;
    private final ToLongFunction<V> eventTimeMs;
    private final DeadLetterPublisher deadLetters;
    private final String application;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, V> store;

    /** @param eventTimeMs event time of a value, or null to keep whatever arrived last */
    public LatestValueUpdater(String storeName, ToLongFunction<V> eventTimeMs, DeadLetterPublisher deadLetters,
                              String application) {
        this.storeName = storeName;
        this.eventTimeMs = eventTimeMs;
        this.deadLetters = deadLetters;
        this.application = application;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, Validated<V>> record) {
        Validated<V> v = record.value();
        if (v != null && v.isBad()) {
            deadLetter(record, v);
            return;
        }
        if (record.key() == null) {
            return;
        }
        V value = v == null ? null : v.value();
        if (value == null) {
            store.delete(record.key());
            return;
        }
        if (eventTimeMs != null) {
            V current = store.get(record.key());
            if (current != null && eventTimeMs.applyAsLong(current) > eventTimeMs.applyAsLong(value)) {
                return;
            }
        }
        store.put(record.key(), value);
    }

    private void deadLetter(Record<String, Validated<V>> record, Validated<V> bad) {
        RecordMetadata md = context.recordMetadata().orElse(null);
        deadLetters.publish(DeadLetter.newBuilder()
                .setSourceTopic(md == null ? "unknown" : md.topic())
                .setPartition(md == null ? -1 : md.partition())
                .setOffset(md == null ? -1 : md.offset())
                .setTimestamp(Instant.ofEpochMilli(record.timestamp()))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setValue(bad.rawValue() == null ? null : ByteBuffer.wrap(bad.rawValue()))
                .setReason(bad.badReason())
                .setErrorClass(bad.errorClass())
                .setApplication(application)
                .build());
        DeadLetterHandler.countDeadLetter();
    }
}
