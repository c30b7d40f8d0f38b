package io.lmadvisor.streams.evaluation;

import io.lmadvisor.streams.deadletter.InputChecks;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds each profile (or recommendation) to its window of the VM's history ({@link HistoryWindows}). A tombstone
 * or a record not keyed by its vmId is dead-lettered (through the processing-exception handler).
 */
final class HistoryRecorder<V> implements Processor<String, V, Void, Void> {
    private final ToLongFunction<V> windowEndMs;
    private final BiFunction<VmHistory.Entry, V, VmHistory.Entry> add;
    private final Function<V, String> vmIdOf;
    private KeyValueStore<String, VmHistory.Entry> histories;

    /** @param add the window with the record added; its first argument is null for a new window */
    HistoryRecorder(
            ToLongFunction<V> windowEndMs,
            BiFunction<VmHistory.Entry, V, VmHistory.Entry> add,
            Function<V, String> vmIdOf) {
        this.windowEndMs = windowEndMs;
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
        HistoryWindows.update(histories, record.key(), windowEndMs.applyAsLong(value), e -> add.apply(e, value));
    }
}
