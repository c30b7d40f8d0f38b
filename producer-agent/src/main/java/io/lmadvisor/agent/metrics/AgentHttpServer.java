package io.lmadvisor.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lmadvisor.http.HttpResponses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} (JSON) for the agent, on
 * the JDK's HTTP server: the agent has no other HTTP needs, so no framework. {@code /health}
 * answers 200 while the agent runs, also while the broker is unreachable (status
 * {@code SPOOLING}): restarting the agent would not bring the broker back. It answers 503
 * (status {@code DOWN}) once publishing stopped for good, e.g. the spool's disk failed.
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AgentCounters counters;
  private final String source;
  private final HttpServer server;

  public AgentHttpServer(AgentCounters counters, String source, InetSocketAddress bind) throws IOException {
    this.counters = counters;
    this.source = source;
    this.server = HttpServer.create(bind, 0);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lm-agent-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
  }

  public AgentHttpServer start() {
    server.start();
    LOG.info("Agent metrics on http://{}:{}/metrics, health on /health", server.getAddress().getHostString(), port());
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "application/json", "{\"error\":\"only GET\"}");
      } else if (path.equals("/metrics")) {
        send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus(System.currentTimeMillis()));
      } else if (path.equals("/health")) {
        send(ex, counters.fatal() == null ? 200 : 503, "application/json", health(System.currentTimeMillis()));
      } else {
        send(ex, 404, "application/json", "{\"error\":\"unknown path; try /metrics or /health\"}");
      }
    } catch (RuntimeException e) {
      LOG.warn("HTTP {} failed: {}", ex.getRequestURI().getPath(), e.toString());
      send(ex, 500, "application/json", "{\"error\":" + JSON.writeValueAsString(String.valueOf(e.getMessage())) + "}");
    } finally {
      ex.close();
    }
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

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    HttpResponses.send(ex, status, type, body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
