package io.lmadvisor.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.lmadvisor.httpserver.BoundedHttpServer;
import io.lmadvisor.httpserver.HttpLimits;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} (JSON) for the agent, on
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

  public AgentHttpServer(AgentCounters counters, String source, InetSocketAddress bind) {
    this(counters, source, bind, HttpLimits.defaults());
  }

  public AgentHttpServer(AgentCounters counters, String source, InetSocketAddress bind, HttpLimits limits) {
    this.counters = counters;
    this.source = source;
    this.server = BoundedHttpServer.create("lm-agent-http", bind.getHostString(), bind.getPort(),
        "--metrics-port", limits, config -> {
          config.http.prefer405over404 = true;
          config.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS)
              .result(prometheus(System.currentTimeMillis())));
          config.routes.get("/health", ctx -> ctx.status(counters.fatal() == null ? 200 : 503)
              .contentType("application/json").result(health(System.currentTimeMillis())));
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

  /** The Prometheus exposition of the counters. */
  public String prometheus(long nowMs) {
    StringBuilder b = new StringBuilder();
    counter(b, "lm_agent_samples_taken_total", "Samples the source produced.", counters.taken.get());
    counter(b, "lm_agent_records_sent_total", "Records the broker acknowledged.", counters.sent.get());
    counter(b, "lm_agent_records_spooled_total", "Records written to the disk spool.", counters.spooled.get());
    counter(b, "lm_agent_records_dropped_total", "Records given up (spool full, unserializable, rejected).",
        counters.dropped.get());
    counter(b, "lm_agent_problems_total", "VMs or hosts that could not be measured, bad replay input.",
        counters.problems.get());
    counter(b, "lm_agent_send_failures_total", "Failed send attempts.", counters.sendFailures.get());
    gauge(b, "lm_agent_spool_records", "Records in the spool.", counters.spoolRecords());
    gauge(b, "lm_agent_spool_bytes", "Bytes of the spool's segment files.", counters.spoolBytes());
    gauge(b, "lm_agent_spooling", "1 while new records go to the spool (broker unreachable).",
        counters.spooling() ? 1 : 0);
    gauge(b, "lm_agent_schema_registry_unreachable", "1 while samples wait for schema ids the registry cannot give now.",
        counters.registryUnreachable() ? 1 : 0);
    gauge(b, "lm_agent_last_send_error_age_seconds", "Seconds since the last failed send; -1 if none.",
        counters.lastSendErrorAgeSeconds(nowMs));
    return b.toString();
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

  private static void counter(StringBuilder b, String name, String help, double value) {
    metric(b, name, help, "counter", value);
  }

  private static void gauge(StringBuilder b, String name, String help, double value) {
    metric(b, name, help, "gauge", value);
  }

  private static void metric(StringBuilder b, String name, String help, String type, double value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    b.append(name).append(' ');
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      b.append((long) value);
    } else {
      b.append(value);
    }
    b.append('\n');
  }

  @Override
  public void close() {
    server.close();
  }
}
