package io.lmadvisor.cli;

import static org.awaitility.Awaitility.await;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.topics.Topics;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A running advisor pipeline for chaos tests: a real broker with its durable Schema Registry API
 * ({@code lm-advisor broker --data-dir}, a child JVM, so it can be restarted as a user would), advisor
 * instances as child JVMs ({@code lm-advisor streams}, so they can be killed hard), a live fleet publishing one
 * sample per VM per second, and a read_committed reader of every recommendation and dead letter.
 * <p>Faults go in while it runs: {@link #kill}, {@link #sendRaw} (poison records), {@link #stopBroker} and
 * {@link #startBroker}.
 */
final class AdvisorPipeline implements AutoCloseable {
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Path dir;
    final String bootstrap;
    final String registryUrl;
    final SchemaRegistry registry;
    final AdvisorSerdes serdes;
    final int vms;
    final Duration window;
    private final int partitions;
    private final int kafkaPort;
    private final int registryPort;
    private Process broker;
    private final AtomicInteger brokerStarts = new AtomicInteger();
    private final Map<String, Process> instances = new LinkedHashMap<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** "vm@windowEndMs" -> how many committed recommendations. */
    final Map<String, Integer> recommended = new ConcurrentHashMap<>();
    /** "vm@windowEndMs" -> partition:offset of each committed recommendation, to tell where a duplicate sits. */
    final Map<String, List<String>> recommendedAt = new ConcurrentHashMap<>();
    /** Committed records on the recommendations topic that are no recommendation (poison put there). */
    final List<byte[]> undecodableRecommendations = new CopyOnWriteArrayList<>();
    /** Every committed dead letter, in the order read. */
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    final AtomicLong samplesSent = new AtomicLong();
    private KafkaProducer<byte[], byte[]> raw;

    AdvisorPipeline(Path dir, int vms, Duration window, int partitions) throws Exception {
        this.dir = dir;
        this.vms = vms;
        this.window = window;
        this.partitions = partitions;
        kafkaPort = freePort();
        registryPort = freePort();
        bootstrap = "127.0.0.1:" + kafkaPort;
        registryUrl = "http://127.0.0.1:" + registryPort;
        startBroker();
        registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", registryUrl));
        serdes = AdvisorSerdes.create(registry, Clock.systemUTC());
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        raw = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Starts {@code lm-advisor broker} on the pipeline's ports and data dir; returns when it listens. */
    void startBroker() throws Exception {
        String name = "broker-" + brokerStarts.incrementAndGet();
        broker = ChildJvm.lmAdvisor(
                dir,
                name,
                List.of(
                        "broker",
                        "--data-dir",
                        dir.resolve("kafka").toString(),
                        "--port",
                        String.valueOf(kafkaPort),
                        "--registry-port",
                        String.valueOf(registryPort),
                        "--partitions",
                        String.valueOf(partitions)));
        awaitOrShowLogs(Duration.ofSeconds(90), () -> {
            if (!broker.isAlive()) {
                throw new AssertionError("lm-advisor broker exited\n" + ChildJvm.tail(dir, name));
            }
            return ChildJvm.log(dir, name).contains("listening on");
        });
    }

    /** Stops the broker as Ctrl-C would (SIGTERM), keeping its data. */
    void stopBroker() throws InterruptedException {
        broker.destroy();
        if (!broker.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("lm-advisor broker did not stop within 30 s of SIGTERM");
        }
    }

    /** Starts {@code lm-advisor streams} as a child JVM; its log is {@code dir/name.log}. */
    void startInstance(String name) throws IOException {
        int port = freePort();
        Path config = dir.resolve(name + ".properties");
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("schema.registry.url", registryUrl);
        p.put("application.id", "lm-advisor-pipeline");
        p.put("state.dir", dir.resolve("state-" + name).toString());
        p.put("lm.http.port", String.valueOf(port));
        p.put("lm.window.ms", String.valueOf(window.toMillis()));
        p.put("lm.grace.ms", "1000");
        // For measuring other settings: -Dlm.pipeline.settings='session.timeout.ms=45000;num.standby.replicas=0'
        for (String kv : System.getProperty("lm.pipeline.settings", "").split(";")) {
            if (kv.contains("=")) {
                p.put(
                        kv.substring(0, kv.indexOf('=')).trim(),
                        kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, "advisor instance " + name);
        }
        instances.put(
                name,
                ChildJvm.lmAdvisor(
                        dir, name, List.of("streams", "--config", config.toString(), "--status-every", "5s")));
        httpPorts.put(name, port);
    }

    int httpPort(String name) {
        return httpPorts.get(name);
    }

    Process process(String name) {
        return instances.get(name);
    }

    /** kill -9. */
    void kill(String name) throws InterruptedException {
        Process p = instances.get(name);
        p.destroyForcibly();
        p.waitFor();
    }

    /** Waits until every named instance answers /health/ready with {@code status} (200 UP, 503 DOWN). */
    void awaitReadiness(int status, Duration atMost, String... names) throws Exception {
        awaitOrShowLogs(
                atMost, () -> java.util.Arrays.stream(names).allMatch(n -> status(n, "/health/ready") == status));
    }

    /**
     * kill -9 of {@code name}, then waits until every VM of the fleet has a committed recommendation for a
     * window that ended after the kill. Returns the milliseconds from kill to that point.
     */
    long killAndAwaitRecovery(String name, Duration atMost) throws Exception {
        long killedAt = System.currentTimeMillis();
        kill(name);
        awaitEveryVmRecommendedAfter(killedAt, atMost);
        return System.currentTimeMillis() - killedAt;
    }

    /** Waits until every VM of the fleet, and no other, has a committed recommendation for a window ending after {@code ms}. */
    void awaitEveryVmRecommendedAfter(long ms, Duration atMost) throws Exception {
        awaitOrShowLogs(atMost, () -> vmsRecommendedAfter(ms).size() >= vms);
        if (!vmsRecommendedAfter(ms).equals(fleet())) {
            throw new AssertionError(
                    "recommended VMs " + vmsRecommendedAfter(ms) + ", expected the fleet's " + fleet());
        }
    }

    /** Waits until the wall clock passes {@code ms}, without sleeping the test blind. */
    void awaitWallClock(long ms, Duration atMost) throws Exception {
        awaitOrShowLogs(atMost, () -> System.currentTimeMillis() > ms);
    }

    /** Awaitility, with the instances' logs on a timeout. */
    void awaitOrShowLogs(Duration atMost, Callable<Boolean> condition) throws Exception {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + logs(), e);
        }
    }

    Set<String> fleet() {
        return IntStream.range(0, vms).mapToObj(v -> "vm-" + v).collect(Collectors.toCollection(TreeSet::new));
    }

    int status(String name, String path) {
        return status(httpPort(name), path);
    }

    /** The HTTP status of GET {@code path} on 127.0.0.1, or -1 when nothing answers. */
    static int status(int port, String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Publishes one sample per VM per second at the wall clock, and host samples every 5 s, until closed. */
    void startFleet() {
        Thread t = new Thread(
                () -> {
                    Properties pp = new Properties();
                    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                    pp.put(ProducerConfig.LINGER_MS_CONFIG, 10);
                    try (KafkaProducer<byte[], byte[]> p =
                            new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                        long next = System.currentTimeMillis() / 1000 * 1000;
                        while (running.get()) {
                            Instant at = Instant.ofEpochMilli(next);
                            if (next % 5000 == 0 || samplesSent.get() == 0) {
                                for (int h = 0; h < 3; h++) {
                                    String host = "h" + h;
                                    p.send(new ProducerRecord<>(
                                            Topics.HOST_SAMPLES,
                                            null,
                                            next,
                                            bytes(host),
                                            serdes.hostSample()
                                                    .serializer()
                                                    .serialize(
                                                            Topics.HOST_SAMPLES,
                                                            HostSample.newBuilder()
                                                                    .setHostId(host)
                                                                    .setTimestamp(at)
                                                                    .setCpuCores(16)
                                                                    .setCpuAvailPercent(1200)
                                                                    .setMemTotalMb(65536)
                                                                    .setMemAvailMb(48000)
                                                                    .setMigrationLinkSpeedMBps(1250)
                                                                    .setMigrationLinkAvailMBps(1000)
                                                                    .build())));
                                }
                            }
                            for (int v = 0; v < vms; v++) {
                                String vm = "vm-" + v;
                                p.send(new ProducerRecord<>(
                                        Topics.VM_SAMPLES,
                                        null,
                                        next,
                                        bytes(vm),
                                        serdes.vmSample()
                                                .serializer()
                                                .serialize(
                                                        Topics.VM_SAMPLES,
                                                        VmSample.newBuilder()
                                                                .setVmId(vm)
                                                                .setHostId("h" + (v % 3))
                                                                .setTimestamp(at)
                                                                .setMemorySizeMb(2048)
                                                                .setVmSizeMb(1000)
                                                                .setDirtiedPagesPerSec(100 + v)
                                                                .setWorkingSetPages(1000L)
                                                                .setCpuUtilPercent(20)
                                                                .build())));
                                samplesSent.incrementAndGet();
                            }
                            next += 1000;
                            long sleep = next - System.currentTimeMillis();
                            if (sleep > 0) {
                                Thread.sleep(sleep);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "pipeline-fleet");
        t.start();
        threads.add(t);
    }

    /**
     * Reads every committed recommendation into {@link #recommended} and every committed dead letter into
     * {@link #deadLetters} (read_committed, as subscribers must).
     */
    void startReader() {
        Thread t = new Thread(
                () -> {
                    Properties p = new Properties();
                    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                    var reader = serdes.recommendation().deserializer();
                    var letters =
                            AvroSerdes.of(DeadLetter.class, registry, false).deserializer();
                    try (KafkaConsumer<String, byte[]> c =
                            new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                        // Assigned, not subscribed: a group would re-read from its last commit after a rebalance (a
                        // broker
                        // restart), and the copies would look like duplicates.
                        List<TopicPartition> parts = new ArrayList<>();
                        for (String topic : List.of(Topics.MIGRATION_RECOMMENDATIONS, Topics.DEAD_LETTERS)) {
                            c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                        }
                        c.assign(parts);
                        c.seekToBeginning(parts);
                        while (running.get()) {
                            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                                if (r.topic().equals(Topics.DEAD_LETTERS)) {
                                    deadLetters.add(letters.deserialize(r.topic(), r.value()));
                                    continue;
                                }
                                MigrationRecommendation rec;
                                try {
                                    rec = reader.deserialize(r.topic(), r.value());
                                } catch (RuntimeException notARecommendation) {
                                    undecodableRecommendations.add(r.value());
                                    continue;
                                }
                                String vm = rec.getVmId().toString();
                                String key =
                                        vm + "@" + rec.getProfileWindowEnd().toEpochMilli();
                                recommended.merge(key, 1, Integer::sum);
                                recommendedAt
                                        .computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                                        .add(r.partition() + ":" + r.offset());
                            }
                        }
                    } catch (org.apache.kafka.common.errors.InterruptException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "pipeline-reader");
        t.start();
        threads.add(t);
    }

    /** A record exactly as given (poison included): key and value bytes, either may be null. */
    void sendRaw(String topic, byte[] key, byte[] value) {
        sendRaw(topic, null, key, value);
    }

    /** The same with a record timestamp ({@code null}: the producer's clock). */
    void sendRaw(String topic, Long timestampMs, byte[] key, byte[] value) {
        raw.send(new ProducerRecord<>(topic, null, timestampMs, key, value));
        raw.flush();
    }

    /** VMs with a committed recommendation for a window that ended after {@code ms}: emitted after it, too. */
    Set<String> vmsRecommendedAfter(long ms) {
        return recommended.keySet().stream()
                .filter(k -> Long.parseLong(k.substring(k.lastIndexOf('@') + 1)) > ms)
                .map(k -> k.substring(0, k.lastIndexOf('@')))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Windows with more than one committed recommendation. */
    List<String> duplicates() {
        return recommended.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " at " + recommendedAt.get(e.getKey()))
                .sorted()
                .toList();
    }

    /** Windows missing between each VM's first and last recommended window. */
    List<String> gaps() {
        Map<String, List<Long>> byVm = new LinkedHashMap<>();
        for (String k : recommended.keySet()) {
            int at = k.lastIndexOf('@');
            byVm.computeIfAbsent(k.substring(0, at), x -> new ArrayList<>()).add(Long.parseLong(k.substring(at + 1)));
        }
        List<String> missing = new ArrayList<>();
        byVm.forEach((vm, ends) -> {
            long first = ends.stream().mapToLong(Long::longValue).min().orElse(0);
            long last = ends.stream().mapToLong(Long::longValue).max().orElse(0);
            for (long w = first; w <= last; w += window.toMillis()) {
                if (!recommended.containsKey(vm + "@" + w)) {
                    missing.add(vm + "@" + w);
                }
            }
        });
        return missing;
    }

    String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String name : instances.keySet()) {
            sb.append(ChildJvm.tail(dir, name));
        }
        return sb.append(ChildJvm.tail(dir, "broker-" + brokerStarts.get())).toString();
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        for (Thread t : threads) {
            t.join(5_000);
        }
        for (Process p : instances.values()) {
            p.destroyForcibly();
        }
        raw.close(Duration.ofSeconds(2));
        registry.close();
        broker.destroyForcibly();
        broker.waitFor(10, TimeUnit.SECONDS);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** {@code lm-advisor} in a child JVM on this test's class path. */
    static final class ChildJvm {
        private ChildJvm() {}

        static Process lmAdvisor(Path dir, String name, List<String> args) throws IOException {
            // The forked test JVM's class path (possibly a manifest-only jar, which java -cp honours too).
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-XX:+UseSerialGC",
                    "-cp",
                    classPath,
                    "io.lmadvisor.cli.LmAdvisor"));
            cmd.addAll(args);
            return new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile())
                    .start();
        }

        static String log(Path dir, String name) throws IOException {
            File f = dir.resolve(name + ".log").toFile();
            return f.exists() ? Files.readString(f.toPath()) : "";
        }

        static String tail(Path dir, String name) throws IOException {
            List<String> lines = log(dir, name).lines().toList();
            return "--- " + name + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
        }
    }
}
