package io.lmadvisor.streams.host;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.topics.TopicSet;
import io.lmadvisor.topics.Topics;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters for the global-store topics (hosts, SLA policies), exactly once across instances. Each
 * instance's global thread reads those topics whole, and again at every restore, so a dead letter written
 * there would be written once per instance and start. This small partitioned topology runs under its own
 * application id ({@link #applicationId}): the consumer group gives each record to one instance, a bad record
 * throws, and the application's handlers (KIP-1033 and the deserialization handler) write its dead letter in
 * the task's transaction. Good records pass without output.
 */
public final class GlobalTopicChecks {
    private GlobalTopicChecks() {}

    public static String applicationId(String advisorApplicationId) {
        return advisorApplicationId + "-global-checks";
    }

    public static Topology topology(TopicSet topics, AdvisorSerdes serdes) {
        Topology t = new Topology();
        StringDeserializer keys = new StringDeserializer();
        add(
                t,
                "host-samples",
                topics.of(Topics.HOST_SAMPLES),
                keys,
                serdes.hostSample().deserializer(),
                HostSample::getHostId,
                "hostId",
                false);
        // Compacted: a tombstone deletes the VM's policy, as in the global store.
        add(
                t,
                "sla-policies",
                topics.of(Topics.SLA_POLICIES),
                keys,
                serdes.slaPolicy().deserializer(),
                null,
                null,
                true);
        return t;
    }

    private static <V> void add(
            Topology t,
            String name,
            String topic,
            StringDeserializer keys,
            Deserializer<V> values,
            Function<V, String> idOf,
            String idField,
            boolean tombstoneDeletes) {
        t.addSource(AutoOffsetReset.earliest(), name, keys, values, topic);
        t.addProcessor(
                name + "-check",
                () -> new Processor<String, V, Void, Void>() {
                    @Override
                    public void process(Record<String, V> record) {
                        LatestValueUpdater.check(record.key(), record.value(), idOf, idField, tombstoneDeletes);
                    }
                },
                name);
    }
}
