package io.lmadvisor.streams.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Liveness and readiness with Kubernetes semantics. Live: the process is not wedged (DOWN only when Kafka Streams
 * stopped or failed without being asked to). Ready: RUNNING, no stream thread failing over and over, the broker
 * answers, and records are consumed whenever there is lag. Every check has a one-line reason.
 */
public final class AdvisorHealth {
    public static final String STREAMS = "streams";
    public static final String THREADS = "threads";
    public static final String BROKER = "broker";
    public static final String PROGRESS = "progress";
    public static final String LIVE = "live";
    public static final String READY = "ready";

    /** One check's verdict. */
    public record Check(String name, boolean up, String reason) {}

    private final HealthSettings settings;
    private final LongSupplier nanoTime;
    private final Deque<Long> threadFailureTimes = new ArrayDeque<>();
    private final AtomicLong threadFailuresTotal = new AtomicLong();
    private volatile KafkaStreams streams;
    private volatile boolean stopping;
    private volatile String lastThreadFailure = "";
    private volatile Check broker = new Check(BROKER, false, "not asked yet");
    private volatile long lag;
    private double lastConsumed = -1;
    private long lastProgressNanos;

    public AdvisorHealth(HealthSettings settings) {
        this(settings, System::nanoTime);
    }

    AdvisorHealth(HealthSettings settings, LongSupplier nanoTime) {
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.lastProgressNanos = nanoTime.getAsLong();
    }

    void attach(KafkaStreams streams) {
        this.streams = streams;
    }

    /** We are closing on purpose: NOT_RUNNING is then no reason to restart the process. */
    void stopping() {
        stopping = true;
    }

    public synchronized void threadFailed(Throwable e) {
        threadFailuresTotal.incrementAndGet();
        threadFailureTimes.addLast(nanoTime.getAsLong());
        lastThreadFailure = oneLine(e);
    }

    /** The root cause as one line: its type and the first line of its message. */
    public static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
    }

    void brokerProbe(boolean reachable, String reason) {
        broker = new Check(BROKER, reachable, reason);
    }

    /** Reads lag and consumed records from the stream threads' consumers; called periodically. */
    synchronized void sampleProgress() {
        KafkaStreams s = streams;
        if (s == null) {
            return;
        }
        double consumed = 0;
        long totalLag = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : s.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (!"consumer-fetch-manager-metrics".equals(n.group())
                    || !isMainConsumer(n.tags().get("client-id"))) {
                continue;
            }
            Object v = e.getValue().metricValue();
            double d = v instanceof Number num ? num.doubleValue() : Double.NaN;
            if (Double.isNaN(d)) {
                continue;
            }
            if (n.name().equals("records-lag") && n.tags().containsKey("partition")) {
                totalLag += (long) Math.max(0, d);
            } else if (n.name().equals("records-consumed-total") && !n.tags().containsKey("topic")) {
                consumed += d;
            }
        }
        lag = totalLag;
        if (consumed != lastConsumed || totalLag == 0) {
            lastConsumed = consumed;
            lastProgressNanos = nanoTime.getAsLong();
        }
    }

    private static boolean isMainConsumer(String clientId) {
        return clientId != null
                && clientId.endsWith("-consumer")
                && !clientId.endsWith("-restore-consumer")
                && !clientId.endsWith("-global-consumer");
    }

    public long lag() {
        return lag;
    }

    public long threadFailures() {
        return threadFailuresTotal.get();
    }

    public Check streamsCheck() {
        KafkaStreams s = streams;
        if (s == null) {
            return new Check(STREAMS, false, "not started: waiting for the Kafka broker");
        }
        KafkaStreams.State state = s.state();
        return new Check(STREAMS, state == KafkaStreams.State.RUNNING, "state " + state);
    }

    public synchronized Check threadsCheck() {
        long now = nanoTime.getAsLong();
        while (!threadFailureTimes.isEmpty()
                && now - threadFailureTimes.peekFirst()
                        > settings.failureWindow().toNanos()) {
            threadFailureTimes.removeFirst();
        }
        int recent = threadFailureTimes.size();
        if (recent == 0) {
            return new Check(
                    THREADS,
                    true,
                    "no stream thread failed in the last "
                            + settings.failureWindow().toSeconds() + " s");
        }
        return new Check(
                THREADS,
                recent <= settings.threadFailures(),
                "stream threads failed " + recent + " times in the last "
                        + settings.failureWindow().toSeconds() + " s (limit " + settings.threadFailures() + "); last: "
                        + lastThreadFailure);
    }

    public Check brokerCheck() {
        return broker;
    }

    public synchronized Check progressCheck() {
        long quietS = (nanoTime.getAsLong() - lastProgressNanos) / 1_000_000_000L;
        if (lag == 0) {
            return new Check(PROGRESS, true, "no lag");
        }
        if (quietS * 1000 >= settings.stallAfter().toMillis()) {
            return new Check(PROGRESS, false, "lag " + lag + " records and nothing consumed for " + quietS + " s");
        }
        return new Check(PROGRESS, true, "lag " + lag + " records, consuming");
    }

    public Check liveCheck() {
        KafkaStreams s = streams;
        if (s == null) {
            return new Check(LIVE, true, "waiting for the Kafka broker");
        }
        KafkaStreams.State state = s.state();
        boolean dead = state == KafkaStreams.State.ERROR
                || state == KafkaStreams.State.PENDING_ERROR
                || (!stopping
                        && (state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN));
        return new Check(LIVE, !dead, dead ? "Kafka Streams stopped: state " + state : "state " + state);
    }

    /** Readiness checks, in the order they are reported. */
    public List<Check> readinessChecks() {
        return List.of(streamsCheck(), threadsCheck(), brokerCheck(), progressCheck());
    }

    public boolean live() {
        return liveCheck().up();
    }

    public boolean ready() {
        return readinessChecks().stream().allMatch(Check::up);
    }

    /** The first failing readiness check's reason, or "ready". */
    public String readinessSummary() {
        return readinessChecks().stream()
                .filter(c -> !c.up())
                .map(c -> c.name() + ": " + c.reason())
                .findFirst()
                .orElse("ready");
    }

    /** JSON for {@code /health}, {@code /health/live} or {@code /health/ready}. */
    public ObjectNode json(boolean withLive, boolean withReady) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<String, Check> checks = new LinkedHashMap<>();
        boolean up = true;
        if (withLive) {
            Check l = liveCheck();
            checks.put(l.name(), l);
            up = l.up();
        }
        if (withReady) {
            for (Check c : readinessChecks()) {
                checks.put(c.name(), c);
                up &= c.up();
            }
        }
        ObjectNode n = f.objectNode();
        n.put("status", up ? "UP" : "DOWN");
        if (withLive && withReady) {
            n.put(LIVE, live() ? "UP" : "DOWN");
            n.put(READY, ready() ? "UP" : "DOWN");
        }
        KafkaStreams s = streams;
        n.put("streamsState", s == null ? "NOT_STARTED" : s.state().name());
        ObjectNode cs = n.putObject("checks");
        checks.values()
                .forEach(c -> cs.putObject(c.name())
                        .put("status", c.up() ? "UP" : "DOWN")
                        .put("reason", c.reason()));
        return n;
    }

    /** {@code lm_health{check=...}}: 1 UP, 0 DOWN; alert on {@code check="ready"} and {@code check="live"}. */
    public void bindTo(MeterRegistry registry) {
        gauge(registry, LIVE, AdvisorHealth::live);
        gauge(registry, READY, AdvisorHealth::ready);
        gauge(registry, STREAMS, h -> h.streamsCheck().up());
        gauge(registry, THREADS, h -> h.threadsCheck().up());
        gauge(registry, BROKER, h -> h.brokerCheck().up());
        gauge(registry, PROGRESS, h -> h.progressCheck().up());
        FunctionCounter.builder("lm_stream_thread_failures", threadFailuresTotal, AtomicLong::get)
                .description("stream threads that failed and were replaced")
                .register(registry);
        Gauge.builder("lm_consumer_lag_records", this, AdvisorHealth::lag)
                .description("records not yet consumed, summed over the stream threads' partitions")
                .register(registry);
    }

    // Micrometer holds gauge objects weakly: the gauge refers to this health object, which the application keeps.
    private void gauge(MeterRegistry registry, String check, java.util.function.Predicate<AdvisorHealth> up) {
        Gauge.builder("lm_health", this, h -> up.test(h) ? 1 : 0)
                .tag("check", check)
                .description("1 when the check is UP, 0 when DOWN")
                .register(registry);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
