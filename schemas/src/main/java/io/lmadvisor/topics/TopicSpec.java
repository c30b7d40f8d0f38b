package io.lmadvisor.topics;

import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the CLI needs to create one topic and what a client needs to read it.
 *
 * @param name topic name
 * @param keyDescription what the record key holds and how it is encoded
 * @param valueType generated Avro class of the values, or null when another module owns the
 *     value schema
 * @param compacted true for log compaction (latest value per key), false for time retention
 * @param defaultPartitions partition count to create the topic with
 */
public record TopicSpec(
        String name,
        String keyDescription,
        Class<? extends SpecificRecord> valueType,
        boolean compacted,
        int defaultPartitions) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keyDescription, "keyDescription");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("defaultPartitions must be >= 1");
        }
    }

    /** Registry subject of the values under the topic-name strategy. */
    public String valueSubject() {
        return name + "-value";
    }

    /** Topic-level configs to create the topic with. */
    public Map<String, String> topicConfigs() {
        return Map.of("cleanup.policy", compacted ? "compact" : "delete");
    }
}
