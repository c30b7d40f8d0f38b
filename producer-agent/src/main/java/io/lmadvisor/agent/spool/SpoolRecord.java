package io.lmadvisor.agent.spool;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record exactly as it goes on the wire: topic, key bytes, value bytes (Confluent wire
 * format) and the record timestamp. Spooled and sent as is, so a replayed record is byte-identical.
 */
public record SpoolRecord(String topic, byte[] key, byte[] value, long timestampMs) {
    public SpoolRecord {
        Objects.requireNonNull(topic, "topic");
    }

    /** A record whose key is a UTF-8 string (vmId, hostId). */
    public static SpoolRecord of(String topic, String key, byte[] value, long timestampMs) {
        return new SpoolRecord(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, timestampMs);
    }

    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpoolRecord r
                && topic.equals(r.topic)
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value)
                && timestampMs == r.timestampMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(key), Arrays.hashCode(value), timestampMs);
    }

    @Override
    public String toString() {
        return "SpoolRecord[" + topic + ", key=" + keyString() + ", "
                + (value == null ? "null" : value.length + " bytes") + ", ts=" + timestampMs + "]";
    }
}
