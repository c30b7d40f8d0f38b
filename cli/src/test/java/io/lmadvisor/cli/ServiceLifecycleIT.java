package io.lmadvisor.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.model.ModelSource;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The advisor as a service: no broker, a broker restart, kill -9 of one of two instances. Child JVMs where a
 * signal or a hard kill is needed.
 */
class ServiceLifecycleIT {
    /** Kill -9 to every VM recommended again (docs/OPERATIONS.md). */
    static final Duration FAILOVER_TARGET = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void withoutABrokerStreamsSaysWhyItWaitsAndStopsOnSigterm() throws Exception {
        String bootstrap = "127.0.0.1:" + AdvisorPipeline.freePort();
        int httpPort = AdvisorPipeline.freePort();
        Process streams = AdvisorPipeline.ChildJvm.lmAdvisor(
                dir,
                "streams",
                List.of(
                        "streams",
                        "--bootstrap-servers",
                        bootstrap,
                        "--schema-registry-url",
                        "http://127.0.0.1:" + AdvisorPipeline.freePort(),
                        "--http-port",
                        String.valueOf(httpPort),
                        "--status-every",
                        "5s",
                        "--config",
                        writeStateDir()));
        try {
            // JVM start-up plus the first probe (at most 5 s).
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> AdvisorPipeline.ChildJvm.log(dir, "streams")
                            .contains("waiting for Kafka at " + bootstrap + " (bootstrap.servers)"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> AdvisorPipeline.status(httpPort, "/health/ready") == 503);
            assertEquals(
                    200,
                    AdvisorPipeline.status(httpPort, "/health/live"),
                    AdvisorPipeline.ChildJvm.tail(dir, "streams"));

            streams.destroy(); // SIGTERM
            assertTrue(
                    streams.waitFor(10, TimeUnit.SECONDS),
                    "stopped within 10 s of SIGTERM\n" + AdvisorPipeline.ChildJvm.tail(dir, "streams"));
            assertTrue(
                    AdvisorPipeline.ChildJvm.log(dir, "streams").lines().noneMatch(l -> l.startsWith("\tat ")),
                    "no stack trace\n" + AdvisorPipeline.ChildJvm.tail(dir, "streams"));
        } finally {
            streams.destroyForcibly();
        }
    }

    private String writeStateDir() throws Exception {
        Path config = dir.resolve("streams.properties");
        Files.writeString(config, "state.dir=" + dir.resolve("state") + "\n");
        return config.toString();
    }

    @Test
    void readinessGoesDownAcrossABrokerRestartAndBackUp() throws Exception {
        int kafkaPort = AdvisorPipeline.freePort();
        Path data = dir.resolve("kafka");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDir(data)
                .port(kafkaPort)
                .partitions(2)
                .build()
                .start();
        String scope = "restart-it";
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + scope);
        int httpPort = AdvisorPipeline.freePort();
        try {
            TopicAdmin.createAll(broker.bootstrapServers(), 2);
            Properties p = new Properties();
            p.putAll(registry);
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "restart-it");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            try (ModelSource model = ModelSource.bundled(2);
                    AdvisorApplication app = AdvisorApplication.builder()
                            .properties(p)
                            .serdes(AdvisorSerdes.create(SchemaRegistries.fromConfig(registry), Clock.systemUTC()))
                            .engine(model)
                            .http(
                                    new InetSocketAddress("127.0.0.1", httpPort),
                                    new HostInfo("127.0.0.1", httpPort),
                                    null,
                                    () -> model.get().modelVersion())
                            .build()
                            .start()) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> AdvisorPipeline.status(httpPort, "/health/ready") == 200);

                broker.close();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> AdvisorPipeline.status(httpPort, "/health/ready") == 503);
                assertTrue(
                        !app.health().brokerCheck().up(),
                        app.health().brokerCheck().reason());
                assertEquals(
                        200,
                        AdvisorPipeline.status(httpPort, "/health/live"),
                        "a broker outage is no reason to restart the advisor");

                broker = EmbeddedKafkaBroker.builder()
                        .dataDir(data)
                        .port(kafkaPort)
                        .partitions(2)
                        .build()
                        .start();
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> AdvisorPipeline.status(httpPort, "/health/ready") == 200);
            }
        } finally {
            broker.close();
            MockSchemaRegistry.drop(scope);
        }
    }

    @Test
    void killMinus9OfOneOfTwoInstancesLosesAndDuplicatesNothingAndRecoversWithinTheTarget() throws Exception {
        try (AdvisorPipeline pipeline = new AdvisorPipeline(dir, 24, Duration.ofSeconds(5), 4)) {
            pipeline.startInstance("a");
            pipeline.startInstance("b");
            pipeline.awaitReadiness(200, Duration.ofSeconds(180), "a", "b");
            pipeline.startReader();
            pipeline.startFleet();
            // Both instances recommend for every VM before the kill.
            long warm = System.currentTimeMillis() + 10_000;
            pipeline.awaitWallClock(warm, Duration.ofSeconds(30));
            pipeline.awaitEveryVmRecommendedAfter(warm - 5_000, Duration.ofSeconds(120));

            long recoveredMs = pipeline.killAndAwaitRecovery("a", Duration.ofSeconds(120));
            System.out.printf(
                    "failover: kill -9 -> every one of %d VMs recommended again in %.1f s (window %d s)%n",
                    pipeline.vms, recoveredMs / 1000.0, pipeline.window.toSeconds());

            // Let a few more windows pass, then compare what read_committed readers saw.
            pipeline.awaitWallClock(
                    System.currentTimeMillis() + 3 * pipeline.window.toMillis(), Duration.ofSeconds(60));
            assertEquals(List.of(), pipeline.duplicates(), "windows recommended twice\n" + pipeline.logs());
            assertEquals(List.of(), pipeline.gaps(), "windows never recommended\n" + pipeline.logs());
            assertTrue(
                    recoveredMs <= FAILOVER_TARGET.toMillis(),
                    "recovered in " + recoveredMs + " ms, target " + FAILOVER_TARGET.toMillis() + " ms\n"
                            + pipeline.logs());
        }
    }
}
