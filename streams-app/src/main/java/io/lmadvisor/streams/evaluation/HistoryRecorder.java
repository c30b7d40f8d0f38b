package io.lmadvisor.streams.evaluation;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.function.BiConsumer;

/** Adds each profile (or recommendation) to its VM's {@link VmHistory}. */
final class HistoryRecorder<V> implements Processor<String, V, Void, Void> {
    private final String storeName;
    private final BiConsumer<VmHistory, V> add;
    private KeyValueStore<String, VmHistory> histories;

    HistoryRecorder(String storeName, BiConsumer<VmHistory, V> add) {
        this.storeName = storeName;
        this.add = add;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        histories = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        VmHistory h = histories.get(record.key());
        if (h == null) {
            h = new VmHistory();
        }
        add.accept(h, record.value());
        histories.put(record.key(), h);
    }
}
