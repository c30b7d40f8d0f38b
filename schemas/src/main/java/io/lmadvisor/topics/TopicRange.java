package io.lmadvisor.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic from the first record at or after a time up to its end offsets as of the call, with an
 * assigned consumer (no group, nothing committed): what a one-off export or replay needs.
 */
public final class TopicRange {
    private static final Duration POLL = Duration.ofMillis(500);

    private TopicRange() {}

    /** The topic's partitions in order; a clear error when it does not exist. */
    public static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo p : infos) {
            out.add(new TopicPartition(topic, p.partition()));
        }
        out.sort(Comparator.comparingInt(TopicPartition::partition));
        return out;
    }

    /**
     * Hands every record of {@code topic} from {@code fromMs} to the end offsets seen now to {@code each},
     * partition order kept within each partition.
     */
    public static <K, V> void read(
            Consumer<K, V> consumer,
            String topic,
            long fromMs,
            java.util.function.Consumer<ConsumerRecord<K, V>> each) {
        List<TopicPartition> partitions = partitions(consumer, topic);
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, fromMs));
        Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(query);
        List<TopicPartition> pending = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = start.get(tp);
            if (o != null && o.offset() < end.get(tp)) {
                consumer.seek(tp, o.offset());
                pending.add(tp);
            }
        }
        consumer.assign(pending);
        while (!pending.isEmpty()) {
            for (ConsumerRecord<K, V> r : consumer.poll(POLL)) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    each.accept(r);
                }
            }
            // A partition is done once its position reaches the end offset seen at the start.
            pending.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            consumer.assign(pending);
        }
    }
}
