package io.lmadvisor.streams.app;

import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.dashboard.Dashboard;
import io.lmadvisor.streams.deadletter.DeadLetterHandler;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.host.GlobalTopicChecks;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.streams.serving.AdvisorHttpServer;
import io.lmadvisor.topics.TopicSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The one owner of the advisor's Kafka Streams lifecycle: builds the topology, configures and starts
 * {@link KafkaStreams} with its exception handlers, serves HTTP, prints status lines and closes everything
 * within a bound. Every entry point (streams, demo, backtest, benchmark, tests) runs the advisor through it.
 * <p>It waits for the broker before starting Kafka Streams (whose start blocks for minutes without one) and
 * says so, naming {@code bootstrap.servers}; the HTTP port is open meanwhile and readiness is DOWN.
 */
public final class AdvisorApplication implements AutoCloseable {
    /** Upper bound for {@link #close()}: Kafka Streams, producers and HTTP together. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(8);

    private final Builder b;
    private final Properties props;
    private final String bootstrap;
    private final AdvisorHealth health;
    private final KafkaStreams streams;
    /** Dead letters of the global-store topics, once across instances ({@link GlobalTopicChecks}). */
    private final KafkaStreams globalChecks;

    private final AdvisorHttpServer http;
    private final Path tempStateDir;
    private final ScheduledExecutorService monitor;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean streamsStarted = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closeDone = new CountDownLatch(1);
    private volatile Admin admin;
    private volatile long lastWaitingLineNanos;
    private volatile boolean waitingSaid;
    private volatile long lastStatusNanos = System.nanoTime();
    private Thread shutdownHook;

    private AdvisorApplication(Builder b) {
        this.b = b;
        props = new Properties();
        AdvisorConfig.serviceDefaults().forEach(props::put);
        props.putAll(DeadLetters.handlerProperties());
        props.putAll(b.props);
        bootstrap = props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        try {
            if (b.temporaryState) {
                tempStateDir = Files.createTempDirectory("lm-advisor-state-");
                props.put(StreamsConfig.STATE_DIR_CONFIG, tempStateDir.toString());
            } else {
                tempStateDir = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary state directory: " + e.getMessage(), e);
        }
        health = new AdvisorHealth(b.health);
        String applicationId =
                props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG, AdvisorConfig.DEFAULT_APPLICATION_ID);
        Properties checksProps = new Properties();
        checksProps.putAll(props);
        checksProps.put(StreamsConfig.APPLICATION_ID_CONFIG, GlobalTopicChecks.applicationId(applicationId));
        checksProps.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        checksProps.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        checksProps.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
        try {
            // The global threads drop bad records; globalChecks dead-letters them, once across instances.
            streams = new KafkaStreams(
                    AdvisorTopology.buildTopology(
                            b.settings, b.topics, b.serdes, b.engine, b.metrics, letter -> {}, applicationId),
                    props);
            globalChecks = new KafkaStreams(GlobalTopicChecks.topology(b.topics, b.serdes), checksProps);
        } catch (RuntimeException e) {
            // "Failed to create new KafkaAdminClient" alone does not say which setting is wrong; the cause does.
            throw new IllegalStateException("cannot create the Kafka Streams clients: " + AdvisorHealth.oneLine(e), e);
        }
        globalChecks.setUncaughtExceptionHandler(e -> {
            say("a global-topic check thread failed and is replaced: " + AdvisorHealth.oneLine(e));
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        health.attach(streams);
        streams.setUncaughtExceptionHandler(e -> {
            health.threadFailed(e);
            if (b.failFast) {
                say("the stream thread failed, stopping: " + AdvisorHealth.oneLine(e));
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            say("a stream thread failed and is replaced (" + health.threadFailures() + " so far): "
                    + AdvisorHealth.oneLine(e));
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            if (b.logStateChanges && streamsStarted.get()) {
                say(before + " -> " + now);
            }
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        http = b.httpBind == null
                ? null
                : new AdvisorHttpServer(
                        streams,
                        health,
                        b.httpBind,
                        b.httpSelf,
                        b.modelVersion,
                        b.metrics,
                        b.httpToken,
                        Dashboard.create(streams, b.httpSelf, b.httpToken, b.modelVersion, b.engine, props, b.topics));
        monitor = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "lm-advisor-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@code streams} command's application: settings, HTTP and health from {@code cfg}. */
    public static Builder fromConfig(
            AdvisorConfig cfg,
            AdvisorSerdes serdes,
            Supplier<RecommendationEngine> engine,
            AdvisorMetrics metrics,
            Supplier<String> modelVersion) {
        return builder()
                .properties(cfg.streamsProperties())
                .settings(cfg.settings())
                .serdes(serdes)
                .engine(engine)
                .metrics(metrics)
                .health(cfg.health())
                .http(
                        new InetSocketAddress(cfg.httpBind(), cfg.httpPort()),
                        new HostInfo(cfg.httpAdvertisedHost(), cfg.httpPort()),
                        cfg.httpToken(),
                        modelVersion);
    }

    /**
     * Opens the HTTP port (a busy port fails here, in one line), then starts Kafka Streams as soon as the broker
     * answers. Returns at once.
     */
    public AdvisorApplication start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        if (http != null) {
            try {
                http.start();
            } catch (RuntimeException e) {
                closeQuietly();
                throw e;
            }
        }
        Map<String, Object> adminConfig = ClientSettings.kafkaConnection(props);
        adminConfig.put(
                AdminClientConfig.CLIENT_ID_CONFIG,
                props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG, AdvisorConfig.DEFAULT_APPLICATION_ID)
                        + "-health");
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        admin = Admin.create(adminConfig);
        long probeMs = b.health.probeEvery().toMillis();
        monitor.scheduleWithFixedDelay(this::probe, 0, probeMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Asks the broker whether it is there; starts Kafka Streams the first time it is; prints status lines. */
    private void probe() {
        if (closed.get()) {
            return;
        }
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
            health.brokerProbe(
                    true,
                    "reachable at " + bootstrap + " (" + nodes.size() + " broker" + (nodes.size() == 1 ? "" : "s")
                            + ")");
            if (streamsStarted.compareAndSet(false, true)) {
                say("Kafka at " + bootstrap + " answers; starting");
                // start() blocks while global stores load: not on the probe's thread.
                monitor.execute(() -> {
                    if (!closed.get()) {
                        streams.start();
                        globalChecks.start();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            String why = e instanceof TimeoutException ? "no answer within 5 s" : AdvisorHealth.oneLine(e);
            health.brokerProbe(false, "cannot reach " + bootstrap + " (bootstrap.servers): " + why);
            if (!streamsStarted.get()
                    && (!waitingSaid || System.nanoTime() - lastWaitingLineNanos >= b.statusEvery.toNanos())) {
                waitingSaid = true;
                say("waiting for Kafka at " + bootstrap + " (bootstrap.servers): " + why + "; retrying every "
                        + b.health.probeEvery().toSeconds() + " s"
                        + (http != null ? ", /health/ready is DOWN meanwhile" : ""));
                lastWaitingLineNanos = System.nanoTime();
            }
        }
        health.sampleProgress();
        if (streamsStarted.get() && System.nanoTime() - lastStatusNanos >= b.statusEvery.toNanos()) {
            lastStatusNanos = System.nanoTime();
            say(statusLine());
        }
    }

    /** State, readiness and counters in one line; the builder's details are appended. */
    public String statusLine() {
        AdvisorMetrics m = b.metrics;
        String line = String.format(
                "%s, %s; samples %d, profiles %d, recommendations %d, risk events %d, late %d, dead letters %d, lag %d",
                streams.state(),
                health.ready() ? "ready" : "not ready (" + health.readinessSummary() + ")",
                m.samples.sum(),
                m.profiles.sum(),
                m.recommendations.sum(),
                m.riskEvents.sum(),
                m.lateSamples.sum(),
                DeadLetterHandler.deadLetterCount(),
                health.lag());
        String extra = b.statusDetails == null ? null : b.statusDetails.get();
        return extra == null || extra.isBlank() ? line : line + ", " + extra;
    }

    /** Closes the application when the JVM is asked to stop (SIGTERM, Ctrl-C), within {@link #CLOSE_TIMEOUT}. */
    public AdvisorApplication closeOnShutdown() {
        shutdownHook = new Thread(this::close, "lm-advisor-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        return this;
    }

    /** Blocks until Kafka Streams stops (failure or {@link #close()}). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True when Kafka Streams ended in ERROR (a failure, not a requested close). */
    public boolean failed() {
        return streams.state() == KafkaStreams.State.ERROR;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public AdvisorHealth health() {
        return health;
    }

    /** The HTTP port actually bound, or -1 without HTTP. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public Properties properties() {
        Properties p = new Properties();
        p.putAll(props);
        return p;
    }

    /**
     * Closes Kafka Streams, the dead-letter producer, the health probe and HTTP, each within a bound, so a
     * missing broker never holds the process; deletes a temporary state directory. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            // Another thread closes (a shutdown hook and the main thread): return when it is done, so the JVM
            // does not exit with the temporary state half deleted.
            try {
                closeDone.await(CLOSE_TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            closeOnce();
        } finally {
            closeDone.countDown();
        }
    }

    private void closeOnce() {
        health.stopping();
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        monitor.shutdownNow();
        // Zero: only asks it to stop, so both shut down side by side within the bound.
        globalChecks.close(CloseOptions.timeout(Duration.ZERO));
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT.minusSeconds(2)));
        boundedClose(() -> globalChecks.close(CloseOptions.timeout(CLOSE_TIMEOUT)), deadline);
        Admin a = admin;
        if (a != null) {
            a.close(Duration.ofMillis(500));
        }
        if (http != null) {
            http.close();
        }
        if (tempStateDir != null) {
            deleteRecursively(tempStateDir);
        }
        stopped.countDown();
        if (shutdownHook != null && !Thread.currentThread().equals(shutdownHook)) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs and finds us closed
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException ignored) {
            // already failing; the first error is the one to report
        }
    }

    /** Runs {@code closer} on its own thread and gives up at {@code deadline}: a producer close can wait on a broker. */
    private static void boundedClose(Runnable closer, long deadlineNanos) {
        Thread t = new Thread(closer, "lm-advisor-close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(100, (deadlineNanos - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // nothing left to do for a temp dir we cannot list
        }
    }

    private void say(String line) {
        b.out.accept(line);
    }

    /** What the application runs and how it reports; everything but properties, serdes and engine has a default. */
    public static final class Builder {
        private Properties props = new Properties();
        private AdvisorTopology.Settings settings = AdvisorTopology.Settings.DEFAULTS;
        private TopicSet topics = TopicSet.LIVE;
        private AdvisorSerdes serdes;
        private Supplier<RecommendationEngine> engine;
        private AdvisorMetrics metrics = new AdvisorMetrics();
        private HealthSettings health = HealthSettings.DEFAULTS;
        private InetSocketAddress httpBind;
        private HostInfo httpSelf;
        private String httpToken;
        private Supplier<String> modelVersion = () -> "";
        private Consumer<String> out = line -> {};
        private boolean logStateChanges;
        private Duration statusEvery = Duration.ofSeconds(30);
        private Supplier<String> statusDetails;
        private boolean temporaryState;
        private boolean failFast;

        private Builder() {}

        /** Kafka Streams, client and registry settings; {@link AdvisorConfig#serviceDefaults()} fill the gaps. */
        public Builder properties(Properties p) {
            props = new Properties();
            props.putAll(p);
            return this;
        }

        public Builder settings(AdvisorTopology.Settings s) {
            settings = Objects.requireNonNull(s);
            return this;
        }

        public Builder topics(TopicSet t) {
            topics = Objects.requireNonNull(t);
            return this;
        }

        public Builder serdes(AdvisorSerdes s) {
            serdes = s;
            return this;
        }

        public Builder engine(Supplier<RecommendationEngine> e) {
            engine = e;
            return this;
        }

        public Builder metrics(AdvisorMetrics m) {
            metrics = Objects.requireNonNull(m);
            return this;
        }

        public Builder health(HealthSettings h) {
            health = Objects.requireNonNull(h);
            return this;
        }

        /** Serve the HTTP API on {@code bind}; {@code self} must equal {@code application.server}. */
        public Builder http(InetSocketAddress bind, HostInfo self, String bearerToken, Supplier<String> modelVersion) {
            httpBind = bind;
            httpSelf = self;
            httpToken = bearerToken;
            this.modelVersion = modelVersion;
            props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
            return this;
        }

        /**
         * Where status lines go (no prefix added), how often, and whether state changes are reported.
         */
        public Builder status(Consumer<String> out, Duration every, boolean stateChanges) {
            this.out = Objects.requireNonNull(out);
            statusEvery = every;
            logStateChanges = stateChanges;
            return this;
        }

        /** Appended to every status line, e.g. the model version. */
        public Builder statusDetails(Supplier<String> details) {
            statusDetails = details;
            return this;
        }

        /** Keep state in a fresh temporary directory that {@link #close()} deletes (demo, backtest, benchmark). */
        public Builder temporaryState() {
            temporaryState = true;
            return this;
        }

        /** Stop on the first stream-thread failure instead of replacing the thread (a backtest must not loop). */
        public Builder failFast() {
            failFast = true;
            return this;
        }

        public AdvisorApplication build() {
            Objects.requireNonNull(serdes, "serdes");
            Objects.requireNonNull(engine, "engine");
            return new AdvisorApplication(this);
        }
    }
}
