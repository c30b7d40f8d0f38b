package io.lmadvisor.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads by group, between two snapshots: where a benchmark phase's cores went. Java
 * threads by their full names (the MXBean), the JVM's own threads (JIT compilers, GC) and RocksDB's from {@code /proc/self/task},
 * whose names Linux truncates to 15 characters. Linux only; elsewhere only the Java threads are counted.
 */
final class ThreadCpu {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

    private final Map<String, Long> nanosByGroup;

    private ThreadCpu(Map<String, Long> nanosByGroup) {
        this.nanosByGroup = nanosByGroup;
    }

    static ThreadCpu snapshot() {
        Map<String, Long> groups = new HashMap<>();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = mx.getThreadCpuTime(t.getId());
            if (ns > 0) {
                groups.merge(javaGroup(t.getName()), ns, Long::sum);
            }
        }
        Path tasks = Path.of("/proc/self/task");
        if (Files.isDirectory(tasks)) {
            try (Stream<Path> ts = Files.list(tasks)) {
                ts.forEach(t -> {
                    try {
                        String comm = Files.readString(t.resolve("comm")).trim();
                        String group = nativeGroup(comm);
                        if (group != null) {
                            String stat = Files.readString(t.resolve("stat"));
                            // Fields after the ")" that closes the name: utime and stime are the 12th and 13th.
                            String[] f =
                                    stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                            groups.merge(group, ticks * TICK_NANOS, Long::sum);
                        }
                    } catch (IOException | RuntimeException e) {
                        // A thread that ended between the listing and the read: nothing to count.
                    }
                });
            } catch (IOException e) {
                // No /proc: the Java threads only.
            }
        }
        return new ThreadCpu(groups);
    }

    private static String javaGroup(String name) {
        if (name.contains("-StreamThread-")) {
            return name.contains("producer") ? "Kafka producers' I/O threads" : "stream threads";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "Kafka producers' I/O threads";
        }
        if (name.contains("GlobalStreamThread")) {
            return "global stream thread";
        }
        if (name.startsWith("data-plane")
                || name.startsWith("kafka-")
                || name.contains("raft")
                || name.contains("Request")
                || name.contains("Log")
                || name.startsWith("broker")
                || name.contains("controller")
                || name.contains("group-coordinator")
                || name.contains("TxnMarker")
                || name.contains("AddPartitionsTo")) {
            return "embedded broker";
        }
        return "other Java threads";
    }

    private static String nativeGroup(String comm) {
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "JIT compilers";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) {
            return "GC and VM thread";
        }
        if (comm.startsWith("rocksdb:")) {
            return "RocksDB flushes and compactions";
        }
        return null;
    }

    /** CPU seconds per group since {@code earlier}, largest first. */
    Map<String, Double> secondsSince(ThreadCpu earlier) {
        Map<String, Double> out = new TreeMap<>();
        nanosByGroup.forEach((g, ns) -> {
            double s = (ns - earlier.nanosByGroup.getOrDefault(g, 0L)) / 1e9;
            if (s > 0.005) {
                out.put(g, s);
            }
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        out.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** One line: each group's CPU seconds and share of {@code cores} × {@code wallSeconds}. */
    String line(ThreadCpu earlier, double wallSeconds, int cores) {
        StringBuilder sb = new StringBuilder();
        double capacity = wallSeconds * cores;
        secondsSince(earlier)
                .forEach((g, s) -> sb.append(sb.length() == 0 ? "" : ", ")
                        .append(String.format("%s %.1f s (%.0f%%)", g, s, 100 * s / capacity)));
        return sb.toString();
    }
}
