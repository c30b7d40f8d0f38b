package io.lmadvisor.streams.evaluation;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Binary form of {@link OutcomeError} for the internal repartition topic. */
public final class OutcomeErrorSerde implements Serde<OutcomeError> {
    private static final byte FORMAT_VERSION = 1;

    @Override
    public Serializer<OutcomeError> serializer() {
        return (topic, e) -> {
            if (e == null) {
                return null;
            }
            byte[] id = e.migrationId().getBytes(StandardCharsets.UTF_8);
            byte[] version = e.modelVersion().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + 4 + id.length + 8 + 8 + 1 + 1 + 4 + version.length + 8)
                    .put(FORMAT_VERSION).putInt(id.length).put(id).putLong(e.endTimeMs()).putDouble(e.relativeError())
                    .put((byte) (e.riskPredicted() ? 1 : 0)).put((byte) (e.riskHappened() ? 1 : 0))
                    .putInt(version.length).put(version).putDouble(e.validationGmre()).array();
        };
    }

    @Override
    public Deserializer<OutcomeError> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != FORMAT_VERSION) {
                throw new SerializationException("outcome error format not supported");
            }
            String id = string(b);
            long end = b.getLong();
            double re = b.getDouble();
            boolean predicted = b.get() == 1;
            boolean happened = b.get() == 1;
            String version = string(b);
            return new OutcomeError(id, end, re, predicted, happened, version, b.getDouble());
        };
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
