package io.lmadvisor.streams.state;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store over a logged one that keeps the values put since the last commit as objects, and writes each
 * once, serialized, to the store below it (and so to its changelog) when Kafka Streams flushes the caches before
 * it commits. Kafka's own cache serializes on every put and deserializes on every get; a VM's window state changes
 * with every sample, so that was most of a sample's cost (docs/PERFORMANCE.md).
 *
 * <p>Exactly-once holds as with Kafka's cache: the flush comes before the record collector's flush and the
 * transaction's commit, and a dirty close drops the unflushed values with the aborted transaction. Kafka Streams
 * finds the flush through its internal {@link CachedStateStore} interface, which its caching stores implement;
 * {@code WriteBackStoreTest} fails if a Kafka upgrade stops calling it. Used by the stream thread only: the map
 * is not safe for interactive queries (none read these stores).
 */
public final class WriteBackStore<K, V> extends ForwardingKeyValueStore<K, V> implements CachedStateStore<K, V> {
    /** Values put since the last flush; a null value is a delete. */
    private final Map<K, V> dirty = new HashMap<>();

    private WriteBackStore(KeyValueStore<K, V> inner) {
        super(inner);
    }

    /** {@code inner} (logged, not cached) with the write-back layer on top. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner) {
        return new Builder<>(inner.withCachingDisabled());
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        dirty.clear();
        inner.init(context, root);
    }

    @Override
    public V get(K key) {
        V v = dirty.get(key);
        if (v != null) {
            return v;
        }
        return dirty.containsKey(key) ? null : inner.get(key);
    }

    @Override
    public void put(K key, V value) {
        dirty.put(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        for (KeyValue<K, V> kv : entries) {
            put(kv.key, kv.value);
        }
    }

    @Override
    public V delete(K key) {
        V old = get(key);
        dirty.put(key, null);
        return old;
    }

    // Scans read the store below, after writing the pending values to it: they are rare (once a second).
    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        flushCache();
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        flushCache();
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        flushCache();
        return inner.all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        flushCache();
        return inner.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        flushCache();
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        flushCache();
        return inner.approximateNumEntries();
    }

    @Override
    public void flushCache() {
        for (Map.Entry<K, V> e : dirty.entrySet()) {
            if (e.getValue() == null) {
                inner.delete(e.getKey());
            } else {
                inner.put(e.getKey(), e.getValue());
            }
        }
        dirty.clear();
    }

    @Override
    public void clearCache() {
        dirty.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        flushCache();
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        // After the transaction's commit: writing the pending values here would put them in the next one.
        inner.commit(changelogOffsets);
    }

    @Override
    public void close() {
        dirty.clear();
        inner.close();
    }

    private record Builder<K, V>(StoreBuilder<KeyValueStore<K, V>> inner) implements StoreBuilder<KeyValueStore<K, V>> {
        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
            return this; // this layer is the cache
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled());
        }

        @Override
        public KeyValueStore<K, V> build() {
            return new WriteBackStore<>(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
