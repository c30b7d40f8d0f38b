package io.lmadvisor.streams.deadletter;

import io.lmadvisor.serde.SerializationFailure;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A decoded input that may be bad: global stores cannot dead-letter through Kafka Streams, so their
 * deserializer hands bad records on as values, with the reason, instead of throwing. The original bytes
 * are kept either way, for a dead letter a later check may still write.
 */
public record Validated<V>(V value, String badReason, String errorClass, byte[] rawValue) {
    public static <V> Validated<V> ok(V value) {
        return new Validated<>(value, null, null, null);
    }

    public boolean isBad() {
        return badReason != null;
    }

    /**
     * A serde for a global-store source: decodes as {@link #deserializer}; encodes back to the original bytes
     * (or {@code inner}'s encoding of a value built here).
     */
    public static <V> Serde<Validated<V>> serde(Serde<V> inner) {
        Serializer<V> encode = inner.serializer();
        Serializer<Validated<V>> serializer = (topic, v) ->
                v == null ? null : v.rawValue() != null ? v.rawValue() : encode.serialize(topic, v.value());
        return Serdes.serdeFrom(serializer, deserializer(inner.deserializer()));
    }

    /** Wraps a (validating) deserializer: null bytes stay a tombstone, bad bytes become a bad value. */
    public static <V> Deserializer<Validated<V>> deserializer(Deserializer<V> inner) {
        return (topic, bytes) -> {
            try {
                return new Validated<>(inner.deserialize(topic, bytes), null, null, bytes);
            } catch (SerializationFailure e) {
                return new Validated<>(null, e.reason(), e.getClass().getName(), bytes);
            }
        };
    }
}
