package io.lmadvisor.streams.serving;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.recommend.HandModel;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.topics.Topics;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two instances with HTTP endpoints: any instance answers for any VM, by routing to its owner. */
@WithEmbeddedKafka(partitions = 4)
class AdvisorHttpServerIT {
    private static final String SCOPE = "http-it";
    private static final String TOKEN = "s3cret-token";
    private final Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path stateDirs;

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

    private AdvisorApplication instance(EmbeddedKafkaBroker broker, String name, int port) throws Exception {
        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), Clock.systemUTC());
        RecommendationEngine engine = new RecommendationEngine(new Scorer(new HandModel()), "hand-1", 2);
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "advisor-http-it");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(name).toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        AdvisorApplication app = AdvisorApplication.builder()
                .properties(p)
                .settings(new AdvisorTopology.Settings(Duration.ofSeconds(20), Duration.ofSeconds(2), 50))
                .serdes(serdes)
                .engine(() -> engine)
                .http(new InetSocketAddress("127.0.0.1", port), new HostInfo("127.0.0.1", port), TOKEN, () -> "hand-1")
                .build();
        open.add(app);
        return app.start();
    }

    private HttpResponse<String> get(int port, String path, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anyInstanceAnswersForAnyVm(EmbeddedKafkaBroker broker) throws Exception {
        for (var spec : Topics.all()) {
            broker.createTopic(spec.name(), 4, spec.compacted());
        }
        int portA = freePort();
        int portB = freePort();
        instance(broker, "a", portA);
        instance(broker, "b", portB);

        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), Clock.systemUTC());
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        Instant t0 = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MINUTES);
        int vms = 8;
        try (KafkaProducer<String, VmSample> samples = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.vmSample().serializer());
                KafkaProducer<String, HostSample> hosts = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.hostSample().serializer())) {
            for (String h : List.of("h0", "h1")) {
                hosts.send(new ProducerRecord<>(
                        Topics.HOST_SAMPLES,
                        h,
                        HostSample.newBuilder()
                                .setHostId(h)
                                .setTimestamp(t0)
                                .setCpuCores(4)
                                .setCpuAvailPercent(300)
                                .setMemTotalMb(16384)
                                .setMemAvailMb(12000)
                                .setMigrationLinkSpeedMBps(125)
                                .setMigrationLinkAvailMBps(100)
                                .build()));
            }
            for (int s = 0; s < 30; s += 5) {
                for (int v = 0; v < vms; v++) {
                    // vm-0 dirties faster than the link: a pre-copy risk.
                    double pdr = v == 0 ? 40_000 : 100;
                    samples.send(new ProducerRecord<>(
                            Topics.VM_SAMPLES,
                            "vm-" + v,
                            VmSample.newBuilder()
                                    .setVmId("vm-" + v)
                                    .setHostId("h" + (v % 2))
                                    .setTimestamp(t0.plusSeconds(s))
                                    .setMemorySizeMb(2048)
                                    .setVmSizeMb(1000)
                                    .setDirtiedPagesPerSec(pdr)
                                    .setWorkingSetPages(256_000L)
                                    .setCpuUtilPercent(20)
                                    .build()));
                }
            }
        }

        // Every VM's state can be read through either instance.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    int served = 0;
                    for (int v = 0; v < vms; v++) {
                        HttpResponse<String> r = get(v % 2 == 0 ? portA : portB, "/vms/vm-" + v, true);
                        if (r.statusCode() == 200
                                && !json.readTree(r.body())
                                        .get("recommendation")
                                        .isNull()) {
                            served++;
                        }
                    }
                    assertEquals(vms, served, "VMs answered through both instances");
                });
        JsonNode vm0 = json.readTree(get(portB, "/vms/vm-0", true).body());
        assertEquals("vm-0", vm0.get("recommendation").get("vmId").asText());
        assertTrue(vm0.get("openRisks").has("PRECOPY_NON_CONVERGENT"), vm0.toString());

        JsonNode risky = json.readTree(
                get(portA, "/vms?risk=PRECOPY_NON_CONVERGENT", true).body());
        assertTrue(risky.has("vm-0"), risky.toString());
        assertTrue(!risky.has("vm-1"), risky.toString());

        assertEquals(2, json.readTree(get(portA, "/hosts", true).body()).size());
        HttpResponse<String> health = get(portB, "/health", true);
        assertEquals(200, health.statusCode(), health.body());
        JsonNode checks = json.readTree(health.body()).get("checks");
        for (String check : List.of("live", "streams", "threads", "broker", "progress")) {
            assertEquals("UP", checks.get(check).get("status").asText(), health.body());
        }
        assertEquals(200, get(portA, "/health/live", true).statusCode());
        assertEquals(200, get(portA, "/health/ready", true).statusCode());
        assertTrue(!health.body().contains(TOKEN), "no secrets in /health");
        String metrics = get(portA, "/metrics", true).body();
        assertTrue(metrics.contains("lm_profiles_total"), metrics.substring(0, Math.min(500, metrics.length())));
        assertTrue(metrics.contains("kafka_stream"), "Kafka Streams metrics are exported");
        assertTrue(metrics.contains("lm_health{check=\"ready\"} 1.0"), "readiness is a gauge");
        assertEquals(401, get(portA, "/health", false).statusCode(), "the bearer token is required");
        assertEquals(404, get(portA, "/vms/no-such-vm", true).statusCode());
        assertEquals(404, get(portB, "/vms/no-such-vm", true).statusCode());

        // One instance holds the evaluation cells; the other forwards to it, so both answer alike.
        JsonNode evalA = json.readTree(get(portA, "/evaluation", true).body());
        JsonNode evalB = json.readTree(get(portB, "/evaluation", true).body());
        assertEquals(evalA.get("servedBy"), evalB.get("servedBy"), "the same owner answers");
        assertEquals(0, evalA.get("cells").size(), "no outcomes yet");
        assertTrue(
                metrics.contains("lm_evaluation_gmre{algorithm=\"PRE\",metric=\"TT\",scope=\"window\"} NaN"),
                "evaluation gauges exist before any outcome");
    }
}
