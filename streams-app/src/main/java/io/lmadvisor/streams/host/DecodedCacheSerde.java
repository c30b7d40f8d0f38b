package io.lmadvisor.streams.host;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of a store that is read far more often than written (the global host store: every decision reads every
 * host): keeps the value last decoded from each stored byte array, by the array's identity. An in-memory store hands
 * out the array it holds, and an update stores a new one, so a read still sees the store as it is now; only the
 * repeated decoding (and validation) of unchanged bytes is saved. Values are shared between threads and must not be
 * changed.
 */
public final class DecodedCacheSerde<T> implements Serde<T> {
    /** Slots, by the array's identity hash; a collision only costs a decode. */
    static final int SLOTS = 1024;

    private final Serde<T> inner;
    private final Deserializer<T> deserializer;

    @SuppressWarnings("unchecked")
    private final Decoded<T>[] slots = new Decoded[SLOTS];

    /** Immutable, so a slot written by one thread is seen whole by another. */
    private record Decoded<T>(byte[] bytes, T value) {}

    public DecodedCacheSerde(Serde<T> inner) {
        this.inner = inner;
        Deserializer<T> in = inner.deserializer();
        this.deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return in.deserialize(topic, null);
            }
            int i = System.identityHashCode(bytes) & (SLOTS - 1);
            Decoded<T> d = slots[i];
            if (d != null && d.bytes == bytes) {
                return d.value;
            }
            T value = in.deserialize(topic, bytes);
            slots[i] = new Decoded<>(bytes, value);
            return value;
        };
    }

    @Override
    public Serializer<T> serializer() {
        return inner.serializer();
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        inner.configure(configs, isKey);
    }

    @Override
    public void close() {
        inner.close();
    }
}
