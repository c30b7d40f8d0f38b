package io.lmadvisor.cli;

import java.util.Properties;

import java.io.IOException;

import io.lmadvisor.config.ClientSettings;

import io.lmadvisor.agent.AgentRunner;
import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.SampleSource;
import io.lmadvisor.agent.host.HostSampler;
import io.lmadvisor.agent.procfs.ProcfsSource;
import io.lmadvisor.agent.qmp.QmpSource;
import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.metrics.AgentHttpServer;
import io.lmadvisor.agent.publish.JsonLinesOutput;
import io.lmadvisor.agent.publish.KafkaOutput;
import io.lmadvisor.agent.publish.KafkaPublisher;
import io.lmadvisor.agent.publish.SampleOutput;
import io.lmadvisor.agent.publish.SchemaIds;
import io.lmadvisor.agent.replay.ReplaySource;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdeConfig;
import io.lmadvisor.serde.AvroSerializer;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The host agent: samples VMs and hosts once a second from a source and publishes them to Kafka
 * (through a disk spool while the broker is unreachable), or prints them as JSON lines with
 * {@code --dry-run}. Sources are looked up in {@link AgentSources}.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sample VMs and hosts every second and publish them to Kafka.",
                "Sources: procfs (QEMU guests on this host, through /proc), qmp (QEMU monitor sockets), "
                        + "simulate (a synthetic fleet), replay (a --dry-run file or a topic's time range). "
                        + "A flag that starts with a source's name is for that source only."})
final class AgentCommand implements Callable<Integer> {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--source", required = true, description = "procfs, qmp, simulate or replay.")
    String source;

    @Option(names = "--dry-run", description = "Print one JSON sample per line on stdout instead of publishing; status goes to stderr.")
    boolean dryRun;

    @Option(names = "--duration", converter = DurationConverter.class, description = "Stop after this long (default: until Ctrl-C, or the end of a replay).")
    Duration duration;

    @Option(names = "--status-every", defaultValue = "10s", converter = DurationConverter.class,
            description = "How often to log counts (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    // ---- publishing ----

    @Option(names = "--bootstrap-servers", description = "Kafka cluster (required unless --dry-run).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema Registry (required unless --dry-run). "
            + "Asked once per schema; while it is unreachable samples wait in the spool.")
    String schemaRegistryUrl;

    @Option(names = "--compression", defaultValue = "lz4", description = "lz4, zstd, gzip, snappy or none (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--delivery-timeout", defaultValue = "8s", converter = DurationConverter.class,
            description = "How long a record may wait for the broker before it is spooled (default: ${DEFAULT-VALUE}).")
    Duration deliveryTimeout;

    @Option(names = "--spool-dir", description = "Where samples wait while the broker or the schema registry is unreachable (default: ~/.lm-advisor/agent-spool).")
    Path spoolDir;

    @Option(names = "--spool-max-bytes", defaultValue = "256m", converter = ByteSizeConverter.class,
            description = "Bound of the spool on disk; when full, the newest samples are dropped and counted (default: ${DEFAULT-VALUE}).")
    long spoolMaxBytes;

    @Option(names = "--vm-topic", defaultValue = Topics.VM_SAMPLES, description = "Topic for VM samples (default: ${DEFAULT-VALUE}).")
    String vmTopic;

    @Option(names = "--host-topic", defaultValue = Topics.HOST_SAMPLES, description = "Topic for host samples (default: ${DEFAULT-VALUE}).")
    String hostTopic;

    // ---- metrics ----

    @Option(names = "--metrics-port", description = "Serve /metrics (Prometheus) and /health on this port (default: off; 0 picks a free port).")
    Integer metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    // ---- simulate ----

    @Option(names = "--vms", defaultValue = "12", description = "simulate: VMs (default: ${DEFAULT-VALUE}).")
    int vms;

    @Option(names = "--hosts", defaultValue = "4", description = "simulate: hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--seed", defaultValue = "42", description = "simulate: seed (default: ${DEFAULT-VALUE}).")
    long seed;

    // ---- replay ----

    @Option(names = "--file", description = "replay: JSON lines as printed by --dry-run.")
    Path file;

    @Option(names = "--from-topic", description = "replay: read this topic instead of a file.")
    String fromTopic;

    @Option(names = "--from", converter = InstantConverter.class, description = "replay --from-topic: first record time (ISO-8601 or epoch ms; default: the beginning).")
    Instant from;

    @Option(names = "--to", converter = InstantConverter.class, description = "replay --from-topic: end time, exclusive (default: the end offsets at start).")
    Instant to;

    @Option(names = "--from-bootstrap-servers", description = "replay --from-topic: cluster to read (default: --bootstrap-servers).")
    String fromBootstrapServers;

    @Option(names = "--from-schema-registry-url", description = "replay --from-topic: registry of the cluster read (default: --schema-registry-url).")
    String fromSchemaRegistryUrl;

    @Option(names = "--speed", defaultValue = "1", description = "replay: 1 = recorded pace, 10 = ten times faster, max = as fast as possible (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--shift-to-now", description = "replay: shift timestamps by a constant so they end at (or, at speed 1, start at) now.")
    boolean shiftToNow;

    @Option(names = "--config", description = "Properties file: bootstrap.servers, schema.registry.url, and Kafka client "
            + "and registry security settings (security.protocol, sasl.*, ssl.*, basic.auth.*), passed through unchanged; "
            + "LM_* variables and the flags override it.")
    Path config;

    /** The layered cluster settings, read at the start of {@link #call()}. */
    private Properties cluster = new Properties();

    @Option(names = "--host-id", description = "procfs, qmp: host id in the samples (default: the kernel hostname).")
    String hostId;

    @Option(names = "--pid", split = ",", description = "procfs: sample these QEMU processes only (default: discover by command line).")
    List<Integer> pids;

    @Option(names = "--sampled-pages", defaultValue = "1024",
            description = "procfs, qmp (local QEMU): guest pages read per VM per second (default: ${DEFAULT-VALUE}, ~0.3%% of a core;"
                    + " qmp: 0 = QMP only).")
    int sampledPages;

    @Option(names = "--ram-mapping", description = "procfs, qmp (local QEMU): regex on /proc/PID/maps paths naming guest RAM (default: auto-detect).")
    String ramMapping;

    @Option(names = "--migration-interface", description = "procfs, qmp: NIC that carries migrations (default: the default route's).")
    String migrationInterface;

    @Option(names = "--link-speed-mbps", defaultValue = "125",
            description = "procfs, qmp: migration link speed, MB/s (10^6 bytes/s), when /sys does not report one (default: ${DEFAULT-VALUE}).")
    double linkSpeedMBps;

    @Option(names = "--qmp-socket", description = "qmp: a VM's QMP socket, PATH or PATH=vmId; repeatable.")
    List<String> qmpSockets;

    @Option(names = "--qmp-socket-glob", description = "qmp: every socket matching this glob, rescanned (e.g. /run/qemu/*.qmp).")
    String qmpSocketGlob;

    @Option(names = "--qmp-sample-pages", defaultValue = "512",
            description = "qmp: calc-dirty-rate sample pages per GiB (default: ${DEFAULT-VALUE}).")
    int qmpSamplePages;

    /** The {@code procfs} source from the parsed options (called by {@link AgentSources}). */
    SampleSource procfsSource() {
        ProcfsSource.Builder b = ProcfsSource.builder().sampledPages(sampledPages).defaultLinkSpeedMBps(linkSpeedMBps);
        if (pids != null) {
            b.pids(pids);
        }
        if (ramMapping != null) {
            b.mappingPattern(ramMapping);
        }
        if (migrationInterface != null) {
            b.migrationInterface(migrationInterface);
        }
        if (hostId != null) {
            b.hostId(hostId);
        }
        ProcfsSource source = b.build();
        System.err.println("lm-advisor agent: procfs: " + source.capabilities().message());
        return source;
    }

    /** The {@code qmp} source: VM samples from QMP, host samples from /proc as procfs takes them. */
    SampleSource qmpSource() {
        String host = hostId != null ? hostId : ProcfsSource.defaultHostId(Path.of("/proc"));
        QmpSource.Builder b = QmpSource.builder().hostId(host).samplePages(qmpSamplePages).agentVersion("qmp/0.1")
                .hostSampledPages(sampledPages).mappingPattern(ramMapping);
        if (qmpSockets != null) {
            qmpSockets.forEach(b::socketOption);
        }
        if (qmpSocketGlob != null) {
            b.socketGlob(qmpSocketGlob);
        }
        QmpSource vms = b.build();
        HostSampler hosts = new HostSampler(Path.of("/proc"), Path.of("/sys"), host, migrationInterface, linkSpeedMBps);
        return new SampleSource() {
            @Override
            public String name() {
                return vms.name();
            }

            @Override
            public void sample(Instant at, SampleSink sink) {
                hosts.sample(at, sink);
                vms.sample(at, sink);
            }

            @Override
            public void close() {
                vms.close();
            }
        };
    }

    /** A bad combination of flags: reported like picocli's own usage errors, exit 2. */
    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        cluster = clusterSettings();
        String name = source.toLowerCase(Locale.ROOT);
        AgentSources.Factory factory;
        try {
            factory = AgentSources.factory(name);
            validate(name);
        } catch (UsageError | IllegalArgumentException e) {
            System.err.println("lm-advisor agent: " + e.getMessage());
            return 2;
        }
        AgentCounters counters = new AgentCounters();
        SampleOutput output = null;
        AgentHttpServer http = null;
        CountDownLatch closed = new CountDownLatch(1);
        AgentRunner[] runner = new AgentRunner[1];
        // SIGTERM/Ctrl-C: stop the loop, then keep the JVM alive until the output is flushed.
        Thread hook = new Thread(() -> {
            if (runner[0] != null) {
                runner[0].stop();
            }
            try {
                closed.await(CLOSE_TIMEOUT.toMillis() + deliveryTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (SampleSource src = factory.create(this)) {
            output = dryRun ? new JsonLinesOutput(System.out, counters) : kafkaOutput(counters);
            if (metricsPort != null) {
                http = new AgentHttpServer(counters, name, new InetSocketAddress(metricsBind, metricsPort)).start();
                System.err.println("lm-advisor agent: metrics on http://" + metricsBind + ":" + http.port() + "/metrics");
            }
            long tickMs = src instanceof ReplaySource r && r.unpaced() ? 0 : 1000;
            runner[0] = new AgentRunner(src, output, counters, new AgentRunner.Settings(tickMs, duration, statusEvery),
                    line -> System.err.println("lm-advisor agent: " + line));
            runner[0].run();
        } finally {
            try {
                if (output != null) {
                    output.close();
                }
                if (http != null) {
                    http.close();
                }
            } finally {
                System.err.println("lm-advisor agent: done: " + counters.summary());
                if (counters.spoolRecords() > 0) {
                    System.err.println("lm-advisor agent: " + counters.spoolRecords() + " records stay in the spool "
                            + spoolDir() + "; they are sent first on the next start");
                }
                // Last: on SIGTERM the JVM exits as soon as the hook stops waiting for this.
                closed.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and waits for 'closed'
                }
            }
        }
        return counters.dropped.get() == 0 ? 0 : 1;
    }

    /**
     * The settings file and LM_* variables under the flags: the cluster and registry addresses, and the Kafka
     * client and registry security settings, which pass through unchanged.
     */
    private Properties clusterSettings() throws IOException {
        Properties flags = new Properties();
        ClusterOptions.putIfSet(flags, "bootstrap.servers", bootstrapServers);
        ClusterOptions.putIfSet(flags, "schema.registry.url", schemaRegistryUrl);
        Properties all = ClusterOptions.layer(config, List.of(), flags);
        bootstrapServers = all.getProperty("bootstrap.servers");
        schemaRegistryUrl = all.getProperty("schema.registry.url");
        return all;
    }

    private void validate(String name) {
        if (!dryRun && (bootstrapServers == null || schemaRegistryUrl == null)) {
            throw new UsageError("--bootstrap-servers and --schema-registry-url are required unless --dry-run");
        }
        if (statusEvery.isZero() || statusEvery.isNegative()) {
            throw new UsageError("--status-every must be positive");
        }
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw new UsageError("--duration must be positive");
        }
        if (deliveryTimeout.toMillis() < 1_000) {
            throw new UsageError("--delivery-timeout must be at least 1s");
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new UsageError("--metrics-port must be 0..65535");
        }
        KafkaPublisher.producerConfig("unused:9092", compression, deliveryTimeout.toMillis()); // checks --compression
        if (name.equals("simulate") && (vms < 1 || hosts < 1)) {
            throw new UsageError("simulate needs --vms >= 1 and --hosts >= 1");
        }
        if (name.equals("qmp") && (qmpSockets == null || qmpSockets.isEmpty()) && qmpSocketGlob == null) {
            throw new UsageError("--source qmp needs --qmp-socket PATH[=vmId] or --qmp-socket-glob GLOB");
        }
        if (name.equals("qmp") && sampledPages < 0) {
            throw new UsageError("qmp needs --sampled-pages >= 0 (0: QMP only, no page sampling of a local QEMU)");
        }
        if (name.equals("procfs") && (sampledPages < 1 || !(linkSpeedMBps > 0))) {
            throw new UsageError("procfs needs --sampled-pages >= 1 and --link-speed-mbps > 0");
        }
        boolean replayOnly = file != null || fromTopic != null || from != null || to != null || shiftToNow
                || fromBootstrapServers != null || fromSchemaRegistryUrl != null;
        if (!name.equals("replay")) {
            if (replayOnly) {
                throw new UsageError("--file, --from-topic, --from, --to, --shift-to-now and --from-* are for --source replay");
            }
            return;
        }
        ReplaySource.parseSpeed(speed);
        if ((file == null) == (fromTopic == null)) {
            throw new UsageError("replay needs exactly one of --file or --from-topic");
        }
        if (file != null && (from != null || to != null || fromBootstrapServers != null || fromSchemaRegistryUrl != null)) {
            throw new UsageError("--from, --to and --from-* apply to --from-topic, not --file");
        }
        if (fromTopic != null) {
            if (sourceBootstrap() == null || sourceRegistry() == null) {
                throw new UsageError("replay --from-topic needs --from-bootstrap-servers/--bootstrap-servers and a schema registry");
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new UsageError("--from must be before --to");
            }
            boolean sameCluster = !dryRun && sameServers(sourceBootstrap(), bootstrapServers);
            if (sameCluster && (fromTopic.equals(vmTopic) || fromTopic.equals(hostTopic))) {
                throw new UsageError("replay would publish into the topic it reads (" + fromTopic
                        + "), a feedback loop; publish to another topic (--vm-topic/--host-topic) or cluster (--bootstrap-servers)");
            }
        }
    }

    /** The {@code replay} source from the parsed options (called by {@link AgentSources}). */
    SampleSource replaySource() {
        double s = ReplaySource.parseSpeed(speed);
        if (file != null) {
            return ReplaySource.fromFile(file, s, shiftToNow);
        }
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, sourceBootstrap());
        cfg.put(ConsumerConfig.CLIENT_ID_CONFIG, "lm-agent-replay");
        cfg.put("schema.registry.url", sourceRegistry());
        return ReplaySource.fromTopic(cfg, fromTopic, from, to, s, shiftToNow);
    }

    private String sourceBootstrap() {
        return fromBootstrapServers != null ? fromBootstrapServers : bootstrapServers;
    }

    private String sourceRegistry() {
        return fromSchemaRegistryUrl != null ? fromSchemaRegistryUrl : schemaRegistryUrl;
    }

    private static boolean sameServers(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        // Any shared host:port means the same cluster.
        var left = Arrays.stream(a.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        return Arrays.stream(b.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).anyMatch(left::contains);
    }

    private Path spoolDir() {
        if (spoolDir != null) {
            return spoolDir;
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? Paths.get("lm-agent-spool") : Paths.get(home, ".lm-advisor", "agent-spool");
    }

    private SampleOutput kafkaOutput(AgentCounters counters) {
        Map<String, Object> registry = ClientSettings.registry(cluster);
        Map<String, Object> producerConfig = KafkaPublisher.producerConfig(bootstrapServers, compression, deliveryTimeout.toMillis());
        producerConfig.putAll(ClientSettings.kafkaConnection(cluster));
        DiskSpool spool = DiskSpool.open(spoolDir(), spoolMaxBytes, DiskSpool.defaultSegmentBytes(spoolMaxBytes));
        KafkaPublisher.Settings defaults = KafkaPublisher.Settings.defaults();
        // Samples never wait for the registry: placeholder ids now, real ids (cached) when sent.
        SchemaIds schemaIds = new SchemaIds(SchemaRegistries.fromConfig(registry),
                !"false".equalsIgnoreCase(String.valueOf(registry.get(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS)).trim()));
        KafkaPublisher publisher = new KafkaPublisher(() -> new KafkaProducer<>(producerConfig), spool, counters,
                new KafkaPublisher.Settings(defaults.batchRecords(), defaults.maxQueuedRecords(), defaults.retryBackoffMs(),
                        deliveryTimeout.toMillis()), schemaIds);
        return new KafkaOutput(new AvroSerializer<VmSample>(schemaIds.placeholders()),
                new AvroSerializer<HostSample>(schemaIds.placeholders()),
                Objects.requireNonNull(vmTopic), Objects.requireNonNull(hostTopic), publisher, spool, counters, CLOSE_TIMEOUT);
    }
}
