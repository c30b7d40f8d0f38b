package io.lmadvisor.agent.replay;

import io.lmadvisor.serde.AvroDeserializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A time range of a sample topic: from the first offset at or after {@code from}
 * ({@code offsetsForTimes}) up to, not including, the first offset at or after {@code to} (or the
 * end offsets when {@code to} is null), read with an assigned consumer (no group, nothing
 * committed). Records come in the order the consumer returns them: per partition, hence per key,
 * in offset order. A record that does not decode is reported as a problem, not fatal.
 */
final class TopicReplayInput implements ReplayInput {
    private static final Duration POLL = Duration.ofMillis(500);
    // Polls that may come back empty before the remaining range is declared unreachable.
    private static final int MAX_EMPTY_POLLS = 20;

    private final String topic;
    private final Instant to;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
    private final Map<TopicPartition, Long> endOffsets = new HashMap<>();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    private int emptyPolls;

    /**
     * @param consumerConfig bootstrap servers and {@code schema.registry.url} of the cluster read
     */
    TopicReplayInput(Map<String, Object> consumerConfig, String topic, Instant from, Instant to) {
        this.topic = topic;
        this.to = to;
        Map<String, Object> cfg = new HashMap<>(consumerConfig);
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cfg.remove(ConsumerConfig.GROUP_ID_CONFIG);
        cfg.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        deserializer.configure(consumerConfig, false);
        consumer = new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndTimestamp> starts =
                    from == null ? Map.of() : consumer.offsetsForTimes(times(partitions, from));
            Map<TopicPartition, OffsetAndTimestamp> stops =
                    to == null ? Map.of() : consumer.offsetsForTimes(times(partitions, to));
            for (TopicPartition tp : partitions) {
                long end = stops.get(tp) != null ? stops.get(tp).offset() : ends.get(tp);
                if (from == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else if (starts.get(tp) != null) {
                    consumer.seek(tp, starts.get(tp).offset());
                } else {
                    consumer.seek(tp, ends.get(tp)); // nothing at or after 'from'
                }
                endOffsets.put(tp, end);
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    private static Map<TopicPartition, Long> times(List<TopicPartition> partitions, Instant at) {
        Map<TopicPartition, Long> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, at.toEpochMilli()));
        return out;
    }

    @Override
    public Recorded next() {
        while (buffer.isEmpty()) {
            List<TopicPartition> open = endOffsets.entrySet().stream()
                    .filter(e -> consumer.position(e.getKey()) < e.getValue())
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toList());
            if (open.isEmpty()) {
                return null;
            }
            consumer.pause(consumer.assignment().stream()
                    .filter(tp -> !open.contains(tp))
                    .toList());
            var polled = consumer.poll(POLL);
            for (ConsumerRecord<byte[], byte[]> r : polled) {
                if (r.offset() < endOffsets.get(new TopicPartition(r.topic(), r.partition()))) {
                    buffer.add(r);
                }
            }
            if (polled.isEmpty() && ++emptyPolls > MAX_EMPTY_POLLS) {
                // Transaction markers or deleted segments can leave offsets that never yield a record.
                return null;
            } else if (!polled.isEmpty()) {
                emptyPolls = 0;
            }
        }
        ConsumerRecord<byte[], byte[]> r = buffer.poll();
        try {
            SpecificRecord value = deserializer.deserialize(r.topic(), r.value());
            if (value == null) {
                return Recorded.bad(where(r) + "null value");
            }
            return Recorded.of(value);
        } catch (RuntimeException e) {
            return Recorded.bad(where(r) + e.getMessage());
        }
    }

    private static String where(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset() + ": ";
    }

    @Override
    public long lastTimestampMs() {
        return to != null ? to.toEpochMilli() : System.currentTimeMillis();
    }

    @Override
    public String describe() {
        return "topic " + topic;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
        deserializer.close();
    }
}
