package io.lmadvisor.streams.host;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.function.ToLongFunction;

/**
 * Keeps the newest value per key in a global store (hosts, SLA policies). A null value deletes the
 * key (a policy tombstone); an older value than the stored one, by event time, is ignored.
 */
public final class LatestValueUpdater<V> implements Processor<String, V, Void, Void> {
    private final String storeName;
    private final ToLongFunction<V> eventTimeMs;
    private KeyValueStore<String, V> store;

    /** @param eventTimeMs event time of a value, or null to keep whatever arrived last */
    public LatestValueUpdater(String storeName, ToLongFunction<V> eventTimeMs) {
        this.storeName = storeName;
        this.eventTimeMs = eventTimeMs;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            return;
        }
        if (eventTimeMs != null) {
            V current = store.get(record.key());
            if (current != null && eventTimeMs.applyAsLong(current) > eventTimeMs.applyAsLong(record.value())) {
                return;
            }
        }
        store.put(record.key(), record.value());
    }
}
