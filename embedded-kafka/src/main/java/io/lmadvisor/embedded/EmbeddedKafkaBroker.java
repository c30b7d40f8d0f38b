package io.lmadvisor.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft combined mode: one node that is both broker and
 * controller) running inside the current JVM.
 *
 * <p>This is the actual Kafka server code ({@code kafka.server.KafkaRaftServer}), not a mock:
 * clients talk to it over TCP on {@code 127.0.0.1}, and transactions ({@code exactly_once_v2}),
 * compacted topics and consumer groups behave as on a real cluster. It serves two purposes:
 * <ul>
 *   <li>integration tests (see {@link EmbeddedKafkaExtension}), with a temporary data directory
 *       that is deleted on {@link #close()};</li>
 *   <li>the self-contained demo ({@code lm-advisor broker --data-dir DIR}), with a kept data
 *       directory that is formatted once and reused on later starts, so records and the
 *       cluster id survive restarts.</li>
 * </ul>
 *
 * <p>Not for production: a single node, replication factor 1, listeners bound to loopback only,
 * plaintext without authentication unless {@link Builder#clientListenerSecurity} says otherwise, and Kafka may halt the whole JVM on fatal storage errors.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().partitions(3).build().start()) {
 *     kafka.createTopic("vm-metrics", 3, false);
 *     String bootstrap = kafka.bootstrapServers(); // "127.0.0.1:PORT"
 * }
 * }</pre>
 *
 * <p>Auto-creation of topics is off by default so a misspelt topic name fails loudly instead of
 * silently creating a new topic; {@link Builder#autoCreateTopics(boolean)} turns it on.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String PLAINTEXT = "PLAINTEXT";
    private static final String META_PROPERTIES = "meta.properties";

    private final Path configuredDataDir;
    private final int configuredPort;
    private final int configuredControllerPort;
    private final int partitions;
    private final boolean autoCreateTopics;
    private final boolean shutdownHook;
    private final Duration startupTimeout;
    private final Map<String, String> extraProperties;
    // The client listener is named after its protocol: PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL.
    private final String clientListener;
    private final Map<String, String> clientSecurity;

    // State, guarded by "this".
    private KafkaRaftServer server;
    private Path dataDir;
    private boolean deleteDataDirOnClose;
    private int port = -1;
    private String clusterId;
    private Thread hook;
    private boolean started;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder b) {
        this.configuredDataDir = b.dataDir;
        this.configuredPort = b.port;
        this.configuredControllerPort = b.controllerPort;
        this.partitions = b.partitions;
        this.autoCreateTopics = b.autoCreateTopics;
        this.shutdownHook = b.shutdownHook;
        this.startupTimeout = b.startupTimeout;
        this.extraProperties = Map.copyOf(b.extraProperties);
        this.clientListener = b.clientProtocol;
        this.clientSecurity = Map.copyOf(b.clientSecurity);
    }

    /** A builder with defaults: temporary data dir, free ports, 3 partitions, no auto-create. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats storage if needed, starts the broker and waits until it answers a metadata request.
     *
     * @return this broker, for chaining
     * @throws IllegalStateException if already started or closed
     * @throws EmbeddedKafkaException if the broker cannot be started within the startup timeout
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (started || closed) {
            throw new IllegalStateException("an EmbeddedKafkaBroker can be started only once");
        }
        started = true;
        long t0 = System.nanoTime();
        try {
            prepareDataDir();
            port = configuredPort > 0 ? configuredPort : freePort();
            int controllerPort = configuredControllerPort > 0 ? configuredControllerPort : freePort();
            Properties props = brokerProperties(controllerPort);
            clusterId = formatIfNeeded();

            KafkaConfig config = KafkaConfig.fromProps(props, false);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            awaitReady(t0);
        } catch (RuntimeException | Error e) {
            shutdownQuietly();
            throw e instanceof EmbeddedKafkaException
                    ? (EmbeddedKafkaException) e
                    : new EmbeddedKafkaException(
                            "Kafka broker failed to start on " + HOST + ":" + port + " (data: " + dataDir + "): " + e,
                            e);
        }
        if (shutdownHook) {
            hook = new Thread(this::close, "embedded-kafka-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        LOG.info("Kafka broker started on {}:{} in {} ms (data: {})", HOST, port, ms, dataDir);
        return this;
    }

    /** {@code "127.0.0.1:PORT"}, for {@code bootstrap.servers}. */
    public synchronized String bootstrapServers() {
        requireRunning();
        return HOST + ":" + port;
    }

    /** The client listener port (known once started). */
    public synchronized int port() {
        requireRunning();
        return port;
    }

    /** The data directory (the log dir, holding {@code meta.properties} and the partitions). */
    public synchronized Path dataDir() {
        if (dataDir == null) {
            throw new IllegalStateException("broker not started");
        }
        return dataDir;
    }

    /** The KRaft cluster id, stable across restarts on a kept data directory. */
    public synchronized String clusterId() {
        requireRunning();
        return clusterId;
    }

    /** True between a successful {@link #start()} and {@link #close()}. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Creates topics (replication factor must be 1 or absent) and waits until they exist. */
    public void createTopics(Collection<NewTopic> topics) {
        String bootstrap = bootstrapServers();
        try (Admin admin = Admin.create(adminConfig(bootstrap))) {
            admin.createTopics(topics).all().get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new EmbeddedKafkaException(
                    "creating topics failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new EmbeddedKafkaException("creating topics timed out after " + startupTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while creating topics", e);
        }
    }

    /** Creates one topic with replication factor 1, optionally with {@code cleanup.policy=compact}. */
    public void createTopic(String name, int partitions, boolean compacted) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1);
        if (compacted) {
            topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        createTopics(List.of(topic));
    }

    /**
     * Shuts the broker down and waits for it; deletes the data directory if it was temporary.
     * Safe to call more than once and from a shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        shutdownQuietly();
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmAlreadyExiting) {
                // nothing to undo
            }
        }
        LOG.debug(
                "Kafka broker on {}:{} stopped in {} ms",
                HOST,
                port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public synchronized String toString() {
        return "EmbeddedKafkaBroker[" + (isRunning() ? HOST + ":" + port : "not running") + ", data=" + dataDir + "]";
    }

    // ---- internals ----

    private void prepareDataDir() {
        try {
            if (configuredDataDir == null) {
                dataDir = Files.createTempDirectory("lm-advisor-kafka-");
                deleteDataDirOnClose = true;
            } else {
                dataDir = Files.createDirectories(configuredDataDir.toAbsolutePath());
                deleteDataDirOnClose = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + configuredDataDir, e);
        }
    }

    private Properties brokerProperties(int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // Static quorum: the voter set comes from config, so ports may change between restarts.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put(
                "listeners",
                clientListener + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
                        + controllerPort);
        p.put("advertised.listeners", clientListener + "://" + HOST + ":" + port);
        p.put(
                "listener.security.protocol.map",
                clientListener + ":" + clientListener + "," + CONTROLLER_LISTENER + ":" + PLAINTEXT);
        p.put("inter.broker.listener.name", clientListener);
        p.put("log.dirs", dataDir.toString());
        p.put("num.partitions", String.valueOf(partitions));
        p.put("default.replication.factor", "1");
        p.put("auto.create.topics.enable", String.valueOf(autoCreateTopics));

        // One replica only: internal topics must not ask for 3, or groups and transactions hang.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions: first group/transaction starts faster on one node.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.num.partitions", "5");
        // No point waiting for more members to join on a local broker.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");

        // Kept on: it takes ~30 ms here, and without it a restart on the same data dir waits
        // ~9 s (broker.session.timeout.ms) for the old registration to expire.
        p.put("controlled.shutdown.enable", "true");
        // Default 128 MiB buffer is allocated eagerly; compaction here is small-scale.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");

        p.putAll(extraProperties);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /** Formats storage unless meta.properties already exists; returns the cluster id. */
    private String formatIfNeeded() {
        Path meta = dataDir.resolve(META_PROPERTIES);
        if (Files.exists(meta)) {
            String id = readClusterId(meta);
            LOG.debug("Reusing formatted Kafka storage in {} (cluster id {})", dataDir, id);
            return id;
        }
        String id = Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(NODE_ID)
                    .setClusterId(id)
                    .setDirectories(List.of(dataDir.toString()))
                    .setMetadataLogDirectory(dataDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("formatting Kafka storage in " + dataDir + " failed: " + e, e);
        }
        LOG.debug(
                "Formatted Kafka storage: {}",
                out.toString(StandardCharsets.UTF_8).trim());
        return id;
    }

    private static String readClusterId(Path meta) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        String id = p.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new EmbeddedKafkaException(meta + " has no cluster.id; delete the directory to re-format it");
        }
        return id;
    }

    /** Polls describeCluster until the broker is listed or the startup timeout (from t0) expires. */
    private void awaitReady(long t0) {
        long deadline = t0 + startupTimeout.toNanos();
        Map<String, Object> cfg = adminConfig(HOST + ":" + port);
        cfg.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        cfg.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        Exception last = null;
        try (Admin admin = Admin.create(cfg)) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EmbeddedKafkaException("interrupted while waiting for the Kafka broker", e);
                }
                sleep(100);
            }
        }
        throw new EmbeddedKafkaException(
                "Kafka broker on " + HOST + ":" + port + " did not answer within " + startupTimeout
                        + (last == null ? "" : " (last error: " + last + ")"),
                last);
    }

    private void shutdownQuietly() {
        KafkaRaftServer s = server;
        server = null;
        if (s != null) {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Error while shutting down the Kafka broker on {}:{}", HOST, port, e);
            }
        }
        if (deleteDataDirOnClose && dataDir != null) {
            try {
                Utils.delete(dataDir.toFile());
                deleteDataDirOnClose = false;
            } catch (IOException e) {
                LOG.warn("Could not delete temporary Kafka data directory {}", dataDir, e);
            }
        }
    }

    private void requireRunning() {
        if (server == null) {
            throw new IllegalStateException("broker not running");
        }
    }

    /** What a client needs besides bootstrap.servers to connect to the client listener. */
    public Map<String, String> clientSecurityProperties() {
        return clientSecurity;
    }

    private Map<String, Object> adminConfig(String bootstrap) {
        Map<String, Object> cfg = new LinkedHashMap<>(clientSecurity);
        cfg.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cfg.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
        return cfg;
    }

    /** A port that was free on 127.0.0.1 a moment ago (there is an unavoidable small race). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while waiting for the Kafka broker", e);
        }
    }

    /** Options for {@link EmbeddedKafkaBroker}. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private int controllerPort;
        private int partitions = 3;
        private boolean autoCreateTopics;
        private boolean shutdownHook;
        private Duration startupTimeout = Duration.ofSeconds(60);
        private final Map<String, String> extraProperties = new LinkedHashMap<>();
        private String clientProtocol = PLAINTEXT;
        private final Map<String, String> clientSecurity = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Secures the client listener (the controller listener stays plaintext on loopback), e.g.
         * {@code SASL_PLAINTEXT}. The server side (mechanisms, {@code listener.name.<protocol>.*}
         * JAAS users) comes from {@link #brokerProperty}; {@code clientProperties} are what the
         * broker's own admin client uses to connect ({@code security.protocol} is added).
         */
        public Builder clientListenerSecurity(String protocol, Map<String, String> clientProperties) {
            this.clientProtocol = Objects.requireNonNull(protocol, "protocol").toUpperCase(java.util.Locale.ROOT);
            clientSecurity.clear();
            clientSecurity.putAll(clientProperties);
            clientSecurity.put("security.protocol", clientProtocol);
            return this;
        }

        /**
         * Keeps data in this directory (created if missing, never deleted). An already formatted
         * directory is reused as is, keeping its cluster id and records. Default: a temporary
         * directory deleted on close.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Client listener port on 127.0.0.1; 0 (default) picks a free port. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** KRaft controller listener port on 127.0.0.1; 0 (default) picks a free port. */
        public Builder controllerPort(int port) {
            this.controllerPort = checkPort(port);
            return this;
        }

        /** {@code num.partitions} for topics created without a count. Default 3. */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** {@code auto.create.topics.enable}. Default false, so misspelt topics fail loudly. */
        public Builder autoCreateTopics(boolean enabled) {
            this.autoCreateTopics = enabled;
            return this;
        }

        /** Registers a JVM shutdown hook that closes the broker. Default false. */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /** How long {@link #start()} may take before failing. Default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** Sets one broker property; it overrides this class's defaults. */
        public Builder brokerProperty(String key, String value) {
            extraProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets broker properties; they override this class's defaults. */
        public Builder brokerProperties(Map<String, String> props) {
            props.forEach(this::brokerProperty);
            return this;
        }

        /** A broker with these options, not yet started. */
        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }
    }
}
