package io.lmadvisor.cli;

import io.lmadvisor.model.data.CsapReader;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.topics.TopicRange;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the training rows the advisor published between two times and writes them under a csap
 * header, so {@code model train --format csap} can learn from the fleet's own migrations. Reads what
 * the topic holds when the export starts (its end offsets then) and stops there; uses no consumer
 * group, so it commits nothing.
 */
final class TrainingDataExport {
    /** Counts of one export. */
    record Result(long written, long malformed, long outsideRange) {}

    private static final long PROGRESS_EVERY_ROWS = 10_000;

    private TrainingDataExport() {}

    /**
     * @param clientConfig Kafka client settings ({@code bootstrap.servers}, security)
     * @param until        exclusive; null for everything up to the topic's end
     */
    static Result export(
            Map<String, Object> clientConfig,
            String topic,
            Instant since,
            Instant until,
            Path out,
            Consumer<String> progress)
            throws IOException {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int columns = CsapReader.columns(DatasetFormat.CSAP).size();
        // Rows published before our optional columns (VM_vcpus) have CSAP's only: padded, they read as unknown.
        int csapOnly = CsapReader.csapOnlyColumns(DatasetFormat.CSAP).size();
        long[] written = {0};
        long[] malformed = {0};
        long[] outside = {0};
        long[] nextProgress = {PROGRESS_EVERY_ROWS};
        try (KafkaConsumer<String, String> consumer =
                        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
                Writer w = open(out)) {
            progress.accept("reading " + topic + " ("
                    + TopicRange.partitions(consumer, topic).size() + " partitions) from " + since
                    + (until == null ? "" : " until " + until));
            w.write(CsapWriter.header(DatasetFormat.CSAP));
            w.write('\n');
            TopicRange.read(consumer, topic, since.toEpochMilli(), r -> {
                if (until != null && r.timestamp() >= until.toEpochMilli()) {
                    outside[0]++;
                    return;
                }
                int fields = r.value() == null ? -1 : r.value().split(",", -1).length;
                if (fields != columns && fields != csapOnly) {
                    malformed[0]++;
                } else {
                    try {
                        w.write(r.value());
                        w.write(",".repeat(columns - fields));
                        w.write('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (++written[0] >= nextProgress[0]) {
                        progress.accept("wrote " + written[0] + " rows");
                        nextProgress[0] += PROGRESS_EVERY_ROWS;
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Result(written[0], malformed[0], outside[0]);
    }

    private static Writer open(Path out) throws IOException {
        OutputStream os = Files.newOutputStream(out);
        if (out.getFileName() != null && out.getFileName().toString().endsWith(".gz")) {
            os = new GZIPOutputStream(os, 1 << 16);
        }
        return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
    }
}
