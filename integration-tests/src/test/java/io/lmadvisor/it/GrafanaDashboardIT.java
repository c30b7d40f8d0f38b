package io.lmadvisor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.metrics.AgentHttpServer;
import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Set<String> agent = names(new AgentHttpServer(new AgentCounters(), "simulate", new InetSocketAddress("127.0.0.1", 0))
                .prometheus(System.currentTimeMillis()));
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
        for (TopicSpec spec : Topics.all()) {
            broker.createTopic(spec.name(), 3, spec.compacted());
        }
        Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), java.time.Clock.systemUTC());
        int port = DashboardBrowserIT.freePort();
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "grafana-dashboard-it");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        ModelSource model = ModelSource.bundled(3);
        try (AdvisorApplication app = AdvisorApplication.builder().properties(p)
                .settings(new AdvisorTopology.Settings(Duration.ofSeconds(20), Duration.ofSeconds(2), 50))
                .serdes(serdes).engine(model).metrics(new AdvisorMetrics())
                .http(new InetSocketAddress("127.0.0.1", port), new HostInfo("127.0.0.1", port), null,
                        () -> model.get().modelVersion())
                .build()) {
            app.start();
            publish(broker, serdes);
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
            // Kafka Streams registers its task and node metrics once tasks run and records flow.
            String[] body = new String[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                body[0] = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
                return body[0].contains("kafka_stream_task_") && body[0].contains("lm_profiles_total") && !body[0].contains("lm_profiles_total 0.0");
            });
            if (System.getProperty("lm.metrics.dump") != null) {
                Files.writeString(Path.of(System.getProperty("lm.metrics.dump")), String.join("\n", names(body[0])));
            }
            return names(body[0]);
        } finally {
            MockSchemaRegistry.drop(SCOPE);
        }
    }

    /** Three minutes of a small fleet's event time, at once: windows close, profiles and advice come out. */
    private static void publish(EmbeddedKafkaBroker broker, AdvisorSerdes serdes) {
        SimpleFleet fleet = new SimpleFleet(3, 6, 3);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, VmSample> samples = new KafkaProducer<>(pp, new StringSerializer(), serdes.vmSample().serializer());
             KafkaProducer<String, HostSample> hosts = new KafkaProducer<>(pp, new StringSerializer(), serdes.hostSample().serializer())) {
            for (long t = (now - 180_000) / 20_000 * 20_000; t <= now; t += 1000) {
                Instant at = Instant.ofEpochMilli(t);
                for (HostSample h : fleet.hostSamples(at)) {
                    hosts.send(new ProducerRecord<>(Topics.HOST_SAMPLES, null, t, h.getHostId(), h));
                }
                for (VmSample s : fleet.vmSamples(at)) {
                    samples.send(new ProducerRecord<>(Topics.VM_SAMPLES, null, t, s.getVmId(), s));
                }
            }
        }
    }
}
