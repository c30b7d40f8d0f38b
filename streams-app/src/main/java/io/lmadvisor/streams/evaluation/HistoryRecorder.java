package io.lmadvisor.streams.evaluation;

import io.lmadvisor.streams.deadletter.InputChecks;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds each profile (or recommendation) to its VM's {@link VmHistory}. A tombstone or a record not keyed
 * by its vmId is dead-lettered (through the processing-exception handler).
 */
final class HistoryRecorder<V> implements Processor<String, V, Void, Void> {
    private final BiConsumer<VmHistory, V> add;
    private final Function<V, String> vmIdOf;
    private KeyValueStore<String, VmHistory> histories;

    HistoryRecorder(BiConsumer<VmHistory, V> add, Function<V, String> vmIdOf) {
        this.add = add;
        this.vmIdOf = vmIdOf;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        histories = context.getStateStore(EvaluationTopology.HISTORY_STORE);
    }

    @Override
    public void process(Record<String, V> record) {
        V value = InputChecks.requireValue(record.value());
        InputChecks.requireKeyMatches(record.key(), vmIdOf.apply(value), "vmId");
        VmHistory h = histories.get(record.key());
        if (h == null) {
            h = new VmHistory();
        }
        add.accept(h, value);
        histories.put(record.key(), h);
    }
}
