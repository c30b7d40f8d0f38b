package io.lmadvisor.cli;

import io.lmadvisor.model.data.CsapReader;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Reads the training rows the advisor published between two times and writes them under a csap
 * header, so {@code model train --format csap} can learn from the fleet's own migrations. Reads what
 * the topic holds when the export starts (its end offsets then) and stops there; uses no consumer
 * group, so it commits nothing.
 */
final class TrainingDataExport {
    /** Counts of one export. */
    record Result(long written, long malformed, long outsideRange) {
    }

    private static final Duration POLL = Duration.ofMillis(500);
    private static final long PROGRESS_EVERY_ROWS = 10_000;

    private TrainingDataExport() {
    }

    /**
     * @param clientConfig Kafka client settings ({@code bootstrap.servers}, security)
     * @param until        exclusive; null for everything up to the topic's end
     */
    static Result export(Map<String, Object> clientConfig, String topic, Instant since, Instant until, Path out,
                         Consumer<String> progress) throws IOException {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int columns = CsapReader.columns(DatasetFormat.CSAP).size();
        long written = 0;
        long malformed = 0;
        long outside = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
             Writer w = open(out)) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, since.toEpochMilli()));
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
            progress.accept("reading " + topic + " (" + partitions.size() + " partitions) from " + since
                    + (until == null ? "" : " until " + until));
            w.write(CsapWriter.header(DatasetFormat.CSAP));
            w.write('\n');
            long nextProgress = PROGRESS_EVERY_ROWS;
            while (!pending.isEmpty()) {
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    if (until != null && r.timestamp() >= until.toEpochMilli()) {
                        outside++;
                    } else if (r.value() == null || r.value().split(",", -1).length != columns) {
                        malformed++;
                    } else {
                        w.write(r.value());
                        w.write('\n');
                        written++;
                        if (written >= nextProgress) {
                            progress.accept("wrote " + written + " rows");
                            nextProgress += PROGRESS_EVERY_ROWS;
                        }
                    }
                }
                // A partition is done once its position reaches the end offset seen at the start.
                pending.removeIf(tp -> consumer.position(tp) >= end.get(tp));
                consumer.assign(pending);
            }
        }
        return new Result(written, malformed, outside);
    }

    private static Writer open(Path out) throws IOException {
        OutputStream os = Files.newOutputStream(out);
        if (out.getFileName() != null && out.getFileName().toString().endsWith(".gz")) {
            os = new GZIPOutputStream(os, 1 << 16);
        }
        return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
    }
}
