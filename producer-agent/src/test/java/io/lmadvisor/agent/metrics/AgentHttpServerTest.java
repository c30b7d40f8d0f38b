package io.lmadvisor.agent.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.httpserver.PortInUseException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentHttpServerTest {
    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled sample in Prometheus text. */
    private static double value(String body, String name) {
        return body.lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing in\n" + body));
    }

    @Test
    void metricsAndHealthReportTheCounters() throws Exception {
        AgentCounters counters = new AgentCounters();
        counters.taken.set(10);
        counters.sent.set(7);
        counters.spooled.set(3);
        counters.spool(() -> 3, () -> 1234);
        counters.spooling(true);
        counters.sendFailed("TimeoutException: gone", 1_000);
        try (AgentHttpServer server =
                new AgentHttpServer(counters, "simulate", new InetSocketAddress("127.0.0.1", 0)).start()) {
            HttpResponse<String> metrics = get(server.port(), "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String body = metrics.body();
            assertTrue(body.contains("# TYPE lm_agent_samples_taken_total counter\n"), body);
            assertEquals(10, value(body, "lm_agent_samples_taken_total"), body);
            assertEquals(7, value(body, "lm_agent_records_sent_total"), body);
            assertEquals(0, value(body, "lm_agent_records_dropped_total"), body);
            assertEquals(1234, value(body, "lm_agent_spool_bytes"), body);
            assertEquals(3, value(body, "lm_agent_spool_records"), body);
            assertEquals(1, value(body, "lm_agent_spooling"), body);
            assertEquals(0, value(body, "lm_agent_schema_registry_unreachable"), body);
            assertEquals(1, value(body, "lm_agent_send_failures_total"), body);
            assertTrue(value(body, "lm_agent_last_send_error_age_seconds") > 0, body);

            HttpResponse<String> health = get(server.port(), "/health");
            assertEquals(200, health.statusCode(), "a broker outage is no reason to restart the agent");
            JsonNode h = new ObjectMapper().readTree(health.body());
            assertEquals("SPOOLING", h.get("status").asText());
            assertEquals(3, h.get("spoolRecords").asLong());
            assertEquals("TimeoutException: gone", h.get("lastSendError").asText());

            assertEquals(404, get(server.port(), "/nope").statusCode());

            counters.fatal("sender stopped: disk full");
            HttpResponse<String> down = get(server.port(), "/health");
            assertEquals(503, down.statusCode());
            assertEquals(
                    "DOWN",
                    new ObjectMapper().readTree(down.body()).get("status").asText());
        }
    }

    /** Today's failure: a few half-open connections froze /health. Now they hold no worker. */
    @Test
    void healthAnswersWhileTwentyIdleAndHalfSentConnectionsStayOpen() throws Exception {
        List<Socket> hogs = new ArrayList<>();
        try (AgentHttpServer server =
                new AgentHttpServer(new AgentCounters(), "simulate", new InetSocketAddress("127.0.0.1", 0)).start()) {
            for (int i = 0; i < 20; i++) {
                hogs.add(new Socket("127.0.0.1", server.port()));
                Socket partial = new Socket("127.0.0.1", server.port());
                partial.getOutputStream().write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                hogs.add(partial);
            }
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() ->
                            assertEquals(200, get(server.port(), "/health").statusCode()));
            assertEquals(
                    405,
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                                            .POST(HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
        } finally {
            for (Socket h : hogs) {
                h.close();
            }
        }
    }

    @Test
    void aBusyMetricsPortIsOneSentenceNamingIt() {
        try (AgentHttpServer first =
                new AgentHttpServer(new AgentCounters(), "simulate", new InetSocketAddress("127.0.0.1", 0)).start()) {
            PortInUseException e = assertThrows(
                    PortInUseException.class,
                    () -> new AgentHttpServer(
                                    new AgentCounters(), "simulate", new InetSocketAddress("127.0.0.1", first.port()))
                            .start());
            assertTrue(
                    e.getMessage().contains(first.port() + "") && e.getMessage().contains("--metrics-port"),
                    e.getMessage());
        }
    }

    @Test
    void lastSendErrorAgeIsMinusOneUntilASendFails() {
        AgentCounters counters = new AgentCounters();
        assertEquals(-1, counters.lastSendErrorAgeSeconds(5_000));
        counters.sendFailed("x", 1_000);
        assertEquals(4.0, counters.lastSendErrorAgeSeconds(5_000));
    }
}
