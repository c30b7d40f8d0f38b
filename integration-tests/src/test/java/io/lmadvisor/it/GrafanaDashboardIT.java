package io.lmadvisor.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.metrics.AgentHttpServer;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard JSON ({@code deploy/grafana/lm-advisor.json}) is valid, and every metric its queries
 * name exists: {@code lm_agent_*} on the agent's {@code /metrics}, everything else on the {@code /metrics}
 * of a running advisor that has processed a simulated fleet.
 */
@WithEmbeddedKafka(partitions = 3)
class GrafanaDashboardIT {
    static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "lm-advisor.json");
    /** Metric names inside PromQL: identifiers followed by a selector, a range or a closing parenthesis. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:lm|kafka)_[a-zA-Z0-9_]+)");

    private static final String SCOPE = "grafana-dashboard-it";

    @TempDir
    Path dir;

    @Test
    void everyQueriedMetricExists(EmbeddedKafkaBroker broker) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertEquals("lm-advisor", dashboard.path("uid").asText());
        Set<String> queried = new TreeSet<>();
        int panels = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertFalse(expr.isBlank(), "panel " + panel.path("title").asText() + " has an empty query");
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    queried.add(m.group(1));
                }
                panels++;
            }
        }
        Set<String> agent =
                names(new AgentHttpServer(new AgentCounters(), "simulate", new InetSocketAddress("127.0.0.1", 0))
                        .prometheus());
        Set<String> advisor = advisorMetrics(broker);
        assertTrue(panels >= 10, "queries: " + panels);
        Set<String> missing = new TreeSet<>();
        for (String q : queried) {
            Set<String> source = q.startsWith("lm_agent_") ? agent : advisor;
            if (!source.contains(q)) {
                missing.add(q);
            }
        }
        assertEquals(Set.of(), missing, "queried by " + DASHBOARD + " but not exposed");
    }

    /** Names of the samples in a Prometheus text exposition. */
    static Set<String> names(String exposition) {
        Set<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                out.add(line.substring(0, end < 0 ? line.indexOf(' ') : end));
            }
        }
        return out;
    }

    private Set<String> advisorMetrics(EmbeddedKafkaBroker broker) throws Exception {
        try (AdvisorPipeline pipeline =
                new AdvisorPipeline(broker, dir.resolve("state"), "grafana-dashboard-it", null)) {
            // Twelve minutes of a small fleet's event time, fast: windows close, profiles and advice come out.
            pipeline.publishFleet(3, 6, Duration.ofMinutes(12), 200, () -> false);
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create(pipeline.base() + "/metrics"))
                    .build();
            // Task and node metrics appear once tasks run and Micrometer re-reads Kafka's metrics (every 60 s).
            String[] body = new String[1];
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        body[0] = http.send(scrape, HttpResponse.BodyHandlers.ofString())
                                .body();
                        return body[0].contains("kafka_stream_task_")
                                && body[0].contains("lm_profiles_total")
                                && !body[0].contains("lm_profiles_total 0.0");
                    });
            return names(body[0]);
        }
    }
}
