package io.lmadvisor.streams.host;

import io.lmadvisor.streams.state.ForwardingKeyValueStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A byte store that counts the writes made through it (the global processor's puts and deletes) and its opening
 * and closing, so that a reader can keep what it derived from the whole store until the count moves: every decision
 * reads every host. A restore writes below this layer (the store's own restore callback): at start-up no decision
 * runs before it ends; a restore while running (Kafka Streams rebuilding the global store) is seen at the next host
 * sample.
 */
public final class ChangeCountingStore extends ForwardingKeyValueStore<Bytes, byte[]> {
    private final AtomicLong changes;

    private ChangeCountingStore(KeyValueStore<Bytes, byte[]> inner, AtomicLong changes) {
        super(inner);
        this.changes = changes;
    }

    /** {@code supplier}'s stores, each counting into {@code changes}. */
    public static KeyValueBytesStoreSupplier counting(KeyValueBytesStoreSupplier supplier, AtomicLong changes) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return supplier.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new ChangeCountingStore(supplier.get(), changes);
            }

            @Override
            public String metricsScope() {
                return supplier.metricsScope();
            }
        };
    }

    @Override
    public void put(Bytes key, byte[] value) {
        inner.put(key, value);
        changes.incrementAndGet();
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = inner.putIfAbsent(key, value);
        changes.incrementAndGet();
        return old;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        inner.putAll(entries);
        changes.incrementAndGet();
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = inner.delete(key);
        changes.incrementAndGet();
        return old;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
        changes.incrementAndGet();
    }

    @Override
    public void close() {
        inner.close();
        changes.incrementAndGet();
    }
}
