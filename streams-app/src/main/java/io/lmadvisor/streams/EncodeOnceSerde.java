package io.lmadvisor.streams;

import io.lmadvisor.serde.WireFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A registry-format serde that encodes a record once where it goes to several places: a profile goes to its topic
 * and to the latest-profile store, a recommendation to the latest-recommendation store and to its topic, and the
 * evaluation keeps the profiles it reads in their topic's bytes. Each thread remembers the last records it encoded or
 * decoded, by identity, with their bytes; those are reused when they carry the schema id the inner serializer writes
 * for the topic at hand (ids are per subject), so the bytes are the ones it would write. Records are never changed
 * after they are made or read (Avro's are mutable: that is this class's one assumption).
 */
final class EncodeOnceSerde<T> implements Serde<T> {
    /** Records remembered per thread: a stream thread decodes at most one record ahead per input partition. */
    static final int REMEMBERED = 8;

    private final Serde<T> inner;
    private final Serializer<T> serializer;
    private final Deserializer<T> deserializer;
    /** The schema id the inner serializer writes for a topic, learnt from its first record there. */
    private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();

    private final ThreadLocal<Memo> memo = ThreadLocal.withInitial(Memo::new);

    EncodeOnceSerde(Serde<T> inner) {
        this.inner = inner;
        Serializer<T> out = inner.serializer();
        Deserializer<T> in = inner.deserializer();
        this.serializer = (topic, value) -> {
            if (value == null) {
                return out.serialize(topic, value);
            }
            Memo m = memo.get();
            byte[] known = m.bytesOf(value);
            Integer id = idByTopic.get(topic);
            if (known != null && id != null && WireFormat.isWireFormat(known) && WireFormat.schemaId(known) == id) {
                return known;
            }
            byte[] bytes = out.serialize(topic, value);
            if (id == null && WireFormat.isWireFormat(bytes)) {
                idByTopic.put(topic, WireFormat.schemaId(bytes));
            }
            m.remember(value, bytes);
            return bytes;
        };
        this.deserializer = (topic, bytes) -> {
            T value = in.deserialize(topic, bytes);
            if (value != null) {
                memo.get().remember(value, bytes);
            }
            return value;
        };
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
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

    /** The last records of one thread and their bytes, oldest overwritten first. */
    private static final class Memo {
        private final Object[] values = new Object[REMEMBERED];
        private final byte[][] bytes = new byte[REMEMBERED][];
        private int next;

        byte[] bytesOf(Object value) {
            for (int i = 0; i < REMEMBERED; i++) {
                if (values[i] == value) {
                    return bytes[i];
                }
            }
            return null;
        }

        void remember(Object value, byte[] encoded) {
            for (int i = 0; i < REMEMBERED; i++) {
                if (values[i] == value) {
                    bytes[i] = encoded;
                    return;
                }
            }
            values[next] = value;
            bytes[next] = encoded;
            next = (next + 1) % REMEMBERED;
        }
    }
}
