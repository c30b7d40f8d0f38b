package io.lmadvisor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Bytes in an embedded broker's log segments, by topic: what a benchmark phase wrote, per record. */
final class TopicBytes {
    private TopicBytes() {}

    static Map<String, Long> byTopic(Path dataDir) {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".log")).forEach(f -> {
                String dir = f.getParent().getFileName().toString();
                int dash = dir.lastIndexOf('-');
                if (dash > 0 && !dir.startsWith("__cluster_metadata")) {
                    try {
                        out.merge(dir.substring(0, dash), Files.size(f), Long::sum);
                    } catch (IOException e) {
                        // A segment deleted while listing: not counted.
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the broker's data directory " + dataDir, e);
        }
        return out;
    }

    /** Topics above 1 byte per record, largest first, as "topic N B". */
    static String perRecord(Path dataDir, long records) {
        return byTopic(dataDir).entrySet().stream()
                .filter(e -> e.getValue() >= records)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format("%s %,d B", e.getKey(), e.getValue() / Math.max(1, records)))
                .collect(Collectors.joining(", "));
    }
}
