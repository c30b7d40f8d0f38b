package io.lmadvisor.streams.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.httpserver.PortInUseException;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.recommend.HandModel;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application without a broker: it says why it waits, serves health, refuses a busy port, closes cleanly. */
class AdvisorApplicationTest {
    private static final String SCOPE = "app-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path stateDir;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        MockSchemaRegistry.drop(SCOPE);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private AdvisorApplication app(String bootstrap, int httpPort, boolean temporaryState) {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + SCOPE);
        Properties p = new Properties();
        p.putAll(registry);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (!temporaryState) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        }
        RecommendationEngine engine = new RecommendationEngine(new Scorer(new HandModel()), "hand-1", 2);
        AdvisorApplication.Builder b = AdvisorApplication.builder()
                .properties(p)
                .serdes(AdvisorSerdes.create(SchemaRegistries.fromConfig(registry), Clock.systemUTC()))
                .engine(() -> engine)
                .http(
                        new InetSocketAddress("127.0.0.1", httpPort),
                        new HostInfo("127.0.0.1", httpPort),
                        null,
                        () -> "hand-1")
                .status(lines::add, Duration.ofMinutes(1), true);
        if (temporaryState) {
            b.temporaryState();
        }
        AdvisorApplication app = b.build();
        open.add(app);
        return app;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutABrokerItSaysWhyItWaitsAndIsLiveButNotReady() throws Exception {
        String bootstrap = "127.0.0.1:" + freePort();
        int port = freePort();
        app(bootstrap, port, false).start();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> lines.stream()
                        .anyMatch(l ->
                                l.contains("waiting for Kafka at " + bootstrap) && l.contains("bootstrap.servers")));
        HttpResponse<String> ready = get(port, "/health/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        JsonNode checks = JSON.readTree(ready.body()).get("checks");
        assertEquals("DOWN", checks.get("broker").get("status").asText());
        assertTrue(checks.get("broker").get("reason").asText().contains(bootstrap), ready.body());
        assertEquals("DOWN", checks.get("streams").get("status").asText());
        assertEquals(200, get(port, "/health/live").statusCode(), "waiting for the broker is not a reason to restart");
        HttpResponse<String> summary = get(port, "/health");
        assertEquals(503, summary.statusCode());
        assertEquals("UP", JSON.readTree(summary.body()).get("live").asText());
        String metrics = get(port, "/metrics").body();
        assertTrue(
                metrics.contains("lm_health{check=\"broker\"} 0.0"),
                metrics.lines().filter(l -> l.startsWith("lm_")).toList().toString());
    }

    @Test
    void idleAndHalfOpenConnectionsDoNotBlockHealth() throws Exception {
        int port = freePort();
        app("127.0.0.1:" + freePort(), port, false).start();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", port);
                sockets.add(s);
                if (i % 2 == 1) {
                    // Half a request: headers never finish.
                    OutputStream out = s.getOutputStream();
                    out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> r = get(port, "/health");
                assertEquals(503, r.statusCode(), "health answers (DOWN: no broker)");
            });
            assertEquals(404, get(port, "/no-such-path").statusCode());
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aBusyPortIsOneLineNamingThePortAndTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AdvisorApplication app = app("127.0.0.1:" + freePort(), taken.getLocalPort(), false);
            PortInUseException e = assertThrows(PortInUseException.class, app::start);
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
            assertTrue(e.getMessage().contains("lm.http.port"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void closeDeletesATemporaryStateDirectory() throws Exception {
        AdvisorApplication app =
                app("127.0.0.1:" + freePort(), freePort(), true).start();
        Path dir = Path.of(app.properties().getProperty(StreamsConfig.STATE_DIR_CONFIG));
        assertTrue(Files.isDirectory(dir));
        app.close();
        assertFalse(Files.exists(dir), "temporary state is deleted");
    }
}
