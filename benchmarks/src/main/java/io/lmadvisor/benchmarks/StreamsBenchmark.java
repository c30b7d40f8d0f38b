package io.lmadvisor.benchmarks;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.state.BoundedRocksDbMemory;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Figures for one advisor instance on the embedded broker (a main, not a test: timing on shared
 * machines is noise). Phase 1 pre-loads {@code vms × seconds} samples and measures the raw consume
 * rate of the topic, then how fast the advisor works through it (exactly_once_v2, bundled model).
 * Phase 2 runs live at one sample per VM per second and measures window end → recommendation.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.lmadvisor.benchmarks.StreamsBenchmark [vms] [seconds] [liveVms]</pre>
 */
public final class StreamsBenchmark {
    private static final String SCOPE = "streams-benchmark";
    private static final int PARTITIONS = 6;

    private StreamsBenchmark() {}

    public static void main(String[] args) throws Exception {
        int vms = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int liveVms = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), Clock.systemUTC());
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().partitions(PARTITIONS).build().start()) {
            for (var spec : Topics.all()) {
                broker.createTopic(spec.name(), PARTITIONS, spec.compacted());
            }
            long total = (long) vms * seconds;
            Instant t0 = Instant.now().minus(Duration.ofMinutes(50)).truncatedTo(ChronoUnit.MINUTES);
            long produceNs = produce(broker, serdes, vms, seconds, t0);
            System.out.printf("produced %,d samples (%d VMs x %d s) in %.1f s%n", total, vms, seconds, produceNs / 1e9);
            double rawRate = rawConsume(broker, total);
            System.out.printf("raw consume of %s: %,.0f records/s%n", Topics.VM_SAMPLES, rawRate);
            // The first pass also warms the JIT for the consumer and the broker's fetch path: a second, warm figure.
            double rawWarm = rawConsume(broker, total);
            System.out.printf("raw consume again (warm JIT): %,.0f records/s%n", rawWarm);

            long heapBeforeAdvisor = usedHeapAfterGc();
            AdvisorMetrics metrics = new AdvisorMetrics();
            try (ModelSource models = ModelSource.bundled(3);
                    AdvisorApplication app = AdvisorApplication.builder()
                            .properties(props(broker, registryConfig))
                            .serdes(serdes)
                            .engine(models)
                            .metrics(metrics)
                            .temporaryState()
                            .build()) {
                ThreadCpu cpuAtStart = ThreadCpu.snapshot();
                long startNs = System.nanoTime();
                long firstNs = 0;
                long halfNs = 0;
                List<String> timeline = new ArrayList<>();
                long lastTick = startNs;
                long lastCount = 0;
                app.start();
                while (metrics.samples.sum() < total
                        && System.nanoTime() - startNs < Duration.ofMinutes(10).toNanos()) {
                    Thread.sleep(firstNs == 0 ? 10 : 100);
                    long now = System.nanoTime();
                    long count = metrics.samples.sum();
                    if (firstNs == 0 && count > 0) {
                        firstNs = now;
                    }
                    if (halfNs == 0 && count >= total / 2) {
                        halfNs = now;
                    }
                    if (now - lastTick >= 2_000_000_000L) {
                        timeline.add(String.format("%,.0f", (count - lastCount) / ((now - lastTick) / 1e9)));
                        lastTick = now;
                        lastCount = count;
                    }
                }
                long endNs = System.nanoTime();
                ThreadCpu cpuAtEnd = ThreadCpu.snapshot();
                double elapsedS = (endNs - startNs) / 1e9;
                double processingS = (endNs - firstNs) / 1e9;
                long done = metrics.samples.sum();
                System.out.printf(
                        "advisor: %,d samples in %.1f s = %,.0f samples/s (%.0f%% of the raw consume rate), %,d profiles%n",
                        done, elapsedS, done / elapsedS, 100.0 * done / elapsedS / rawRate, metrics.profiles.sum());
                // Start-up (group join, task assignment, first fetch) is a few seconds of the above.
                System.out.printf(
                        "advisor from its first sample: %.1f s = %,.0f samples/s (%.0f%% of the raw consume rate)%n",
                        processingS, done / processingS, 100.0 * done / processingS / rawRate);
                // The JIT compiles most of the advisor during the first seconds: the second half is nearer steady
                // state.
                double secondHalfS = (endNs - halfNs) / 1e9;
                long secondHalf = done - total / 2;
                System.out.printf(
                        "advisor, second half of the samples: %.1f s = %,.0f samples/s (%.0f%% of the raw rate, %.0f%% of the warm raw rate)%n",
                        secondHalfS,
                        secondHalf / secondHalfS,
                        100.0 * secondHalf / secondHalfS / rawRate,
                        100.0 * secondHalf / secondHalfS / rawWarm);
                System.out.println("samples/s every 2 s from app.start(): " + String.join(" ", timeline));
                System.out.println("CPU while the advisor ran ("
                        + Runtime.getRuntime().availableProcessors() + " cores): "
                        + cpuAtEnd.line(
                                cpuAtStart, elapsedS, Runtime.getRuntime().availableProcessors()));
                System.out.println(
                        "bytes written per sample, by topic: " + TopicBytes.perRecord(broker.dataDir(), done));
                System.out.printf(
                        "scoring: %.1f us per profile (top-3 destinations x 5 algorithms x 6 figures)%n",
                        metrics.scoringNanos.sum() / 1e3 / Math.max(1, metrics.recommendations.sum()));
                // CPU time is steadier than wall time on a shared machine: what the stream threads used for phase 1.
                long streamCpuNs = streamThreadsCpuNanos();
                System.out.printf(
                        "stream threads' CPU: %.1f s = %.2f us per sample%n",
                        streamCpuNs / 1e9, streamCpuNs / 1e3 / Math.max(1, done));
                long heap = usedHeapAfterGc();
                System.out.printf(
                        "heap used after GC: %,d MB for %,d VMs (~%,d bytes per VM, broker included); "
                                + "the advisor's share: %,d MB (~%,d bytes per VM)%n",
                        heap >> 20,
                        vms,
                        heap / vms,
                        (heap - heapBeforeAdvisor) >> 20,
                        (heap - heapBeforeAdvisor) / vms);
                // RocksDB's caches and memtables live outside the heap: the process's resident memory shows them.
                System.out.printf(
                        "resident memory of the JVM: %,d MB (heap committed %,d MB; RocksDB stores share %,d MB)%n",
                        residentMb(),
                        Runtime.getRuntime().totalMemory() >> 20,
                        BoundedRocksDbMemory.sharedCacheBytes() >> 20);
                System.out.println("RocksDB memory (Kafka Streams' RocksDB metrics): " + rocksDbMemory(app));

                // Live phase: event time is now; latency = recommendation created - window end.
                long before = metrics.recommendations.sum();
                Instant liveStart = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                int liveSeconds = 65;
                Thread liveProducer = new Thread(() -> {
                    try {
                        produceLive(broker, serdes, liveVms, liveSeconds, liveStart);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                liveProducer.start();
                liveProducer.join();
                Thread.sleep(Duration.ofSeconds(10).toMillis());
                List<Long> latencies = liveLatencies(broker, serdes, liveStart);
                long[] l =
                        latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                if (l.length > 0) {
                    System.out.printf(
                            "live: %,d VMs at 1 Hz, %,d recommendations, window end -> recommendation p50 %,d ms, p99 %,d ms, max %,d ms (grace %d s)%n",
                            liveVms,
                            l.length,
                            l[l.length / 2],
                            l[(int) Math.min(l.length - 1, Math.round(l.length * 0.99))],
                            l[l.length - 1],
                            AdvisorTopology.Settings.DEFAULTS.grace().toSeconds());
                }
                System.out.printf(
                        "(recommendations during the live phase: %,d)%n", metrics.recommendations.sum() - before);
            }
        } finally {
            MockSchemaRegistry.drop(SCOPE);
        }
    }

    private static long streamThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("-StreamThread-")) {
                sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    /**
     * Memtables and table readers summed over the store instances; the block cache's usage once per distinct
     * capacity figure set (a shared cache reports the same usage for every store).
     */
    private static String rocksDbMemory(AdvisorApplication app) {
        double memtables = 0;
        double readers = 0;
        double cacheUsageMax = 0;
        double cacheUsageSum = 0;
        int stores = 0;
        for (var e : app.streams().metrics().entrySet()) {
            String name = e.getKey().name();
            if (!e.getKey().group().equals("stream-state-metrics")
                    || !(e.getValue().metricValue() instanceof Number n)) {
                continue;
            }
            double v = n.doubleValue();
            switch (name) {
                case "size-all-mem-tables" -> {
                    memtables += v;
                    stores++;
                }
                case "estimate-table-readers-mem" -> readers += v;
                case "block-cache-usage" -> {
                    cacheUsageSum += v;
                    cacheUsageMax = Math.max(cacheUsageMax, v);
                }
                default -> {}
            }
        }
        return String.format(
                "%d store instances, memtables %,.0f MB, table readers %,.0f MB, block cache usage %,.0f MB (largest"
                        + " single figure %,.0f MB)",
                stores,
                memtables / (1 << 20),
                readers / (1 << 20),
                cacheUsageSum / (1 << 20),
                cacheUsageMax / (1 << 20));
    }

    /** VmRSS of /proc/self/status, or -1 where there is none. */
    private static long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static Properties props(EmbeddedKafkaBroker broker, Map<String, Object> registryConfig) {
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lm-advisor-bench");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
        // Settings to try, e.g. -Dlm.bench.settings="producer.linger.ms=20;statestore.cache.max.bytes=0"
        for (String kv : System.getProperty("lm.bench.settings", "").split(";")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                p.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                System.out.println("setting " + kv.trim());
            }
        }
        return p;
    }

    private static long produce(EmbeddedKafkaBroker broker, AdvisorSerdes serdes, int vms, int seconds, Instant t0)
            throws Exception {
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = producer(broker)) {
            sendHosts(p, serdes, t0);
            SplittableRandom rnd = new SplittableRandom(1);
            for (int s = 0; s < seconds; s++) {
                for (int v = 0; v < vms; v++) {
                    send(p, serdes, v, t0.plusSeconds(s), rnd);
                }
            }
        }
        return System.nanoTime() - start;
    }

    private static void produceLive(
            EmbeddedKafkaBroker broker, AdvisorSerdes serdes, int vms, int seconds, Instant start) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(broker)) {
            SplittableRandom rnd = new SplittableRandom(2);
            for (int s = 0; s < seconds; s++) {
                Instant at = start.plusSeconds(s);
                long waitMs = at.toEpochMilli() - System.currentTimeMillis();
                if (waitMs > 0) {
                    Thread.sleep(waitMs);
                }
                sendHosts(p, serdes, at);
                for (int v = 0; v < vms; v++) {
                    send(p, serdes, v, at, rnd);
                }
                p.flush();
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker broker) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        pp.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void sendHosts(KafkaProducer<byte[], byte[]> p, AdvisorSerdes serdes, Instant at) {
        for (int h = 0; h < 8; h++) {
            // Hosts differ in headroom, so each destination is scored on its own figures.
            HostSample host = HostSample.newBuilder()
                    .setHostId("host-" + h)
                    .setTimestamp(at)
                    .setCpuCores(32)
                    .setCpuAvailPercent(1600 + 100 * h)
                    .setMemTotalMb(262_144)
                    .setMemAvailMb(131_072 - 4_096 * h)
                    .setMigrationLinkSpeedMBps(1250)
                    .setMigrationLinkAvailMBps(900)
                    .build();
            p.send(new ProducerRecord<>(
                    Topics.HOST_SAMPLES,
                    null,
                    at.toEpochMilli(),
                    bytes("host-" + h),
                    serdes.hostSample().serializer().serialize(Topics.HOST_SAMPLES, host)));
        }
    }

    private static void send(
            KafkaProducer<byte[], byte[]> p, AdvisorSerdes serdes, int v, Instant at, SplittableRandom rnd) {
        String vm = "vm-" + v;
        VmSample s = VmSample.newBuilder()
                .setVmId(vm)
                .setHostId("host-" + (v % 8))
                .setTimestamp(at)
                .setMemorySizeMb(4096)
                .setVmSizeMb(1024 + (v % 8) * 256)
                .setDirtiedPagesPerSec(rnd.nextDouble() * 20_000)
                .setWorkingSetPages(50_000L + v % 1000)
                .setChangedPageEntropy(0.6)
                .setUnchangedPageEntropy(0.4)
                .setModifiedBytesPerPage(900.0)
                .setCpuUtilPercent(rnd.nextDouble() * 150)
                .setNetUtilMBps(1.0)
                .build();
        p.send(new ProducerRecord<>(
                Topics.VM_SAMPLES,
                null,
                at.toEpochMilli(),
                bytes(vm),
                serdes.vmSample().serializer().serialize(Topics.VM_SAMPLES, s)));
    }

    private static double rawConsume(EmbeddedKafkaBroker broker, long expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "raw-consume-" + System.nanoTime());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        long n = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.VM_SAMPLES));
            while (n < expected
                    && System.nanoTime() - start < Duration.ofMinutes(5).toNanos()) {
                n += c.poll(Duration.ofMillis(200)).count();
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static List<Long> liveLatencies(EmbeddedKafkaBroker broker, AdvisorSerdes serdes, Instant liveStart) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "latency");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Long> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.MIGRATION_RECOMMENDATIONS));
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    MigrationRecommendation rec =
                            serdes.recommendation().deserializer().deserialize(r.topic(), r.value());
                    if (!rec.getProfileWindowEnd().isBefore(liveStart.plusSeconds(20))) {
                        out.add(rec.getCreatedAt().toEpochMilli()
                                - rec.getProfileWindowEnd().toEpochMilli());
                    }
                }
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
