package io.lmadvisor.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.lmadvisor.httpserver.BoundedHttpServer;
import io.lmadvisor.httpserver.HttpLimits;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format, from a Micrometer registry) and {@code GET /health} (JSON) for the agent, on
 * the project's {@link BoundedHttpServer}, so idle or slow clients cannot block them. {@code /health}
 * answers 200 while the agent runs, also while the broker is unreachable (status
 * {@code SPOOLING}): restarting the agent would not bring the broker back. It answers 503
 * (status {@code DOWN}) once publishing stopped for good, e.g. the spool's disk failed.
 */
public final class AgentHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final AgentCounters counters;
    private final String source;
    private final BoundedHttpServer server;
    private final PrometheusMeterRegistry registry;

    public AgentHttpServer(AgentCounters counters, String source, InetSocketAddress bind) {
        this(counters, source, bind, HttpLimits.defaults());
    }

    public AgentHttpServer(AgentCounters counters, String source, InetSocketAddress bind, HttpLimits limits) {
        this.counters = counters;
        this.source = source;
        this.registry = registry(counters);
        this.server = BoundedHttpServer.create(
                "lm-agent-http", bind.getHostString(), bind.getPort(), "--metrics-port", limits, config -> {
                    config.http.prefer405over404 = true;
                    config.routes.get(
                            "/metrics", ctx -> ctx.contentType(PROMETHEUS).result(prometheus()));
                    config.routes.get(
                            "/health",
                            ctx -> ctx.status(counters.fatal() == null ? 200 : 503)
                                    .contentType("application/json")
                                    .result(health(System.currentTimeMillis())));
                    config.routes.error(404, ctx -> json(ctx, "unknown path; try /metrics or /health"));
                    config.routes.error(405, ctx -> json(ctx, "only GET"));
                    config.routes.exception(Exception.class, (e, ctx) -> {
                        LOG.warn("HTTP {} failed: {}", ctx.path(), e.toString());
                        ctx.status(500);
                        json(ctx, String.valueOf(e.getMessage()));
                    });
                });
    }

    /**
     * Starts listening.
     *
     * @throws io.lmadvisor.httpserver.PortInUseException naming the port when it is taken
     */
    public AgentHttpServer start() {
        server.start();
        LOG.info("Agent metrics on http://{}:{}/metrics, health on /health", server.host(), port());
        return this;
    }

    public int port() {
        return server.port();
    }

    private static void json(Context ctx, String error) {
        ObjectNode n = JSON.createObjectNode().put("error", error);
        ctx.contentType("application/json").result(n.toString());
    }

    /** The Prometheus exposition of the counters (text format 0.0.4). */
    public String prometheus() {
        return registry.scrape();
    }

    /**
     * The agent's meters. Names are Micrometer's dotted form of the Prometheus names documented in
     * docs/AGENT.md ({@code lm.agent.samples.taken} is {@code lm_agent_samples_taken_total}); the
     * meters read {@link AgentCounters}, which stays the one place that counts.
     */
    static PrometheusMeterRegistry registry(AgentCounters counters) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        counter(r, "lm.agent.samples.taken", "Samples the source produced.", counters.taken);
        counter(r, "lm.agent.records.sent", "Records the broker acknowledged.", counters.sent);
        counter(r, "lm.agent.records.spooled", "Records written to the disk spool.", counters.spooled);
        counter(
                r,
                "lm.agent.records.dropped",
                "Records given up (spool full, unserializable, rejected).",
                counters.dropped);
        counter(
                r,
                "lm.agent.problems",
                "VMs or hosts that could not be measured, bad replay input.",
                counters.problems);
        counter(r, "lm.agent.send.failures", "Failed send attempts.", counters.sendFailures);
        gauge(r, "lm.agent.spool.records", "Records in the spool.", counters, AgentCounters::spoolRecords);
        gauge(r, "lm.agent.spool.bytes", "Bytes of the spool's segment files.", counters, AgentCounters::spoolBytes);
        gauge(
                r,
                "lm.agent.spooling",
                "1 while new records go to the spool (broker unreachable).",
                counters,
                c -> c.spooling() ? 1 : 0);
        gauge(
                r,
                "lm.agent.schema.registry.unreachable",
                "1 while samples wait for schema ids the registry cannot give now.",
                counters,
                c -> c.registryUnreachable() ? 1 : 0);
        gauge(
                r,
                "lm.agent.last.send.error.age.seconds",
                "Seconds since the last failed send; -1 if none.",
                counters,
                c -> c.lastSendErrorAgeSeconds(System.currentTimeMillis()));
        return r;
    }

    private static void counter(MeterRegistry r, String name, String help, AtomicLong value) {
        FunctionCounter.builder(name, value, AtomicLong::get).description(help).register(r);
    }

    private static void gauge(
            MeterRegistry r, String name, String help, AgentCounters counters, ToDoubleFunction<AgentCounters> value) {
        Gauge.builder(name, counters, value).description(help).register(r);
    }

    /** The {@code /health} document. */
    public String health(long nowMs) {
        ObjectNode n = JSON.createObjectNode();
        n.put("status", counters.fatal() != null ? "DOWN" : counters.spooling() ? "SPOOLING" : "UP");
        n.put("error", counters.fatal());
        n.put("source", source);
        n.put("taken", counters.taken.get());
        n.put("sent", counters.sent.get());
        n.put("spooled", counters.spooled.get());
        n.put("dropped", counters.dropped.get());
        n.put("problems", counters.problems.get());
        n.put("spoolRecords", counters.spoolRecords());
        n.put("spoolBytes", counters.spoolBytes());
        n.put("schemaRegistryUnreachable", counters.registryUnreachable());
        n.put("lastSendError", counters.lastSendError());
        n.put("lastSendErrorAgeSeconds", counters.lastSendErrorAgeSeconds(nowMs));
        return n.toString();
    }

    @Override
    public void close() {
        server.close();
        registry.close();
    }
}
