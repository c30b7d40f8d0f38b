package io.lmadvisor.streams.deadletter;

import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Decodes with the wrapped serde, then rejects implausible values with an {@link InvalidRecordException},
 * so the deserialization handler dead-letters bad data before any processor sees it.
 */
public final class ValidatingSerde<T> implements Serde<T> {
    private final Serde<T> inner;
    private final Function<T, String> check;

    public ValidatingSerde(Serde<T> inner, Function<T, String> check) {
        this.inner = inner;
        this.check = check;
    }

    @Override
    public Serializer<T> serializer() {
        return inner.serializer();
    }

    @Override
    public Deserializer<T> deserializer() {
        Deserializer<T> d = inner.deserializer();
        return (topic, bytes) -> {
            T value = d.deserialize(topic, bytes);
            if (value != null) {
                String reason = check.apply(value);
                if (reason != null) {
                    throw new InvalidRecordException(reason);
                }
            }
            return value;
        };
    }
}
