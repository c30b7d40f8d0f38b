package io.lmadvisor.streams.host;

import io.lmadvisor.streams.deadletter.DeadLetterHandler;
import io.lmadvisor.streams.deadletter.DeadLetterPublisher;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.deadletter.InputChecks;
import io.lmadvisor.streams.deadletter.InvalidRecordException;
import io.lmadvisor.streams.deadletter.Validated;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the newest value per key in a global store (hosts, SLA policies). An older value than the
 * stored one, by event time, is ignored. A bad record (undecodable, implausible, without a key, keyed
 * differently from its id, or a tombstone where tombstones mean nothing) goes to the dead letters and
 * leaves the store as it was. Kafka Streams cannot dead-letter records of global topics itself, so this
 * processor catches everything and publishes through {@link DeadLetterPublisher}. Every instance reads a
 * global topic whole (again at each restore), so {@link io.lmadvisor.streams.app.AdvisorApplication} passes a
 * publisher that drops them and {@link GlobalTopicChecks} writes each of those dead letters once.
 */
public final class LatestValueUpdater<V> implements Processor<String, Validated<V>, Void, Void> {
    private final String storeName;
    private final ToLongFunction<V> eventTimeMs;
    private final DeadLetterPublisher deadLetters;
    private final String application;
    private final Function<V, String> idOf;
    private final String idField;
    private final boolean tombstoneDeletes;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, V> store;

    /**
     * @param eventTimeMs      event time of a value, or null to keep whatever arrived last
     * @param idOf             the id the key must equal (hostId), or null when the value carries none
     * @param tombstoneDeletes a null value deletes the key (a compacted topic); otherwise it is dead-lettered
     */
    public LatestValueUpdater(
            String storeName,
            ToLongFunction<V> eventTimeMs,
            Function<V, String> idOf,
            String idField,
            boolean tombstoneDeletes,
            DeadLetterPublisher deadLetters,
            String application) {
        this.storeName = storeName;
        this.eventTimeMs = eventTimeMs;
        this.idOf = idOf;
        this.idField = idField;
        this.tombstoneDeletes = tombstoneDeletes;
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
            deadLetter(record, v.rawValue(), v.badReason(), v.errorClass());
            return;
        }
        try {
            update(record.key(), v == null ? null : v.value());
        } catch (RuntimeException e) {
            // Global threads have no processing-exception handler that can write: one record never stops them.
            deadLetter(
                    record,
                    v == null ? null : v.rawValue(),
                    DeadLetters.reason(e, "processor " + storeName + "-updater"),
                    e.getClass().getName());
        }
    }

    private void update(String key, V value) {
        check(key, value, idOf, idField, tombstoneDeletes);
        if (value == null) {
            store.delete(key);
            return;
        }
        if (eventTimeMs != null) {
            V current = store.get(key);
            if (current != null && eventTimeMs.applyAsLong(current) > eventTimeMs.applyAsLong(value)) {
                return;
            }
        }
        store.put(key, value);
    }

    /**
     * The checks of a decoded global-topic record, shared with {@link GlobalTopicChecks}: a key, equal to the
     * value's id, and a tombstone only where it deletes. Throws {@link InvalidRecordException}.
     */
    static <V> void check(String key, V value, Function<V, String> idOf, String idField, boolean tombstoneDeletes) {
        InputChecks.requireKey(key);
        if (value == null) {
            if (!tombstoneDeletes) {
                throw new InvalidRecordException(InputChecks.TOMBSTONE);
            }
            return;
        }
        if (idOf != null) {
            InputChecks.requireKeyMatches(key, idOf.apply(value), idField);
        }
    }

    private void deadLetter(Record<String, Validated<V>> record, byte[] rawValue, String reason, String errorClass) {
        RecordMetadata md = context.recordMetadata().orElse(null);
        deadLetters.publish(DeadLetters.letter(
                md == null ? null : md.topic(),
                md == null ? -1 : md.partition(),
                md == null ? -1 : md.offset(),
                record.timestamp(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                rawValue,
                reason,
                errorClass,
                application));
        DeadLetterHandler.countDeadLetter();
    }
}
