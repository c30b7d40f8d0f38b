package io.lmadvisor.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.recommend.HandModel;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two advisor instances share the partitions; one is killed mid-stream and the other takes over its
 * state. Every window of every VM must yield exactly one recommendation: none lost, none duplicated.
 */
@WithEmbeddedKafka(partitions = 4)
class TwoInstancesExactlyOnceIT {
    private static final String SCOPE = "two-instances-it";
    private static final int VMS = 12;
    private static final int WINDOWS = 6;
    private static final Duration WINDOW = Duration.ofSeconds(20);

    private final Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
    private final List<KafkaStreams> running = new ArrayList<>();
    private final List<AdvisorApplication> apps = new ArrayList<>();

    @TempDir
    Path stateDirs;

    @AfterEach
    void tearDown() {
        apps.forEach(AdvisorApplication::close);
        MockSchemaRegistry.drop(SCOPE);
    }

    private KafkaStreams startInstance(EmbeddedKafkaBroker broker, String name) {
        SchemaRegistry registry = SchemaRegistries.fromConfig(registryConfig);
        AdvisorSerdes serdes = AdvisorSerdes.create(registry, Clock.systemUTC());
        RecommendationEngine engine = new RecommendationEngine(new Scorer(new HandModel()), "hand-1", 2);
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "advisor-two-instances");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(name).toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        AdvisorApplication app = AdvisorApplication.builder()
                .properties(p)
                .settings(new AdvisorTopology.Settings(WINDOW, Duration.ofSeconds(2), 50))
                .serdes(serdes)
                .engine(() -> engine)
                .build()
                .start();
        apps.add(app);
        running.add(app.streams());
        return app.streams();
    }

    @Test
    void everyWindowIsRecommendedExactlyOnceAcrossAFailover(EmbeddedKafkaBroker broker) throws Exception {
        for (var spec : Topics.all()) {
            broker.createTopic(spec.name(), 4, spec.compacted());
        }
        KafkaStreams first = startInstance(broker, "a");
        startInstance(broker, "b");
        await("both instances running")
                .atMost(Duration.ofSeconds(60))
                .until(() -> running.stream().allMatch(s -> s.state() == KafkaStreams.State.RUNNING));

        // Event time in the recent past, one sample per VM every 2 s, windows aligned to 20 s.
        Instant t0 = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
        SchemaRegistry registry = SchemaRegistries.fromConfig(registryConfig);
        AdvisorSerdes serdes = AdvisorSerdes.create(registry, Clock.systemUTC());
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, VmSample> samples = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.vmSample().serializer());
                KafkaProducer<String, HostSample> hosts = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.hostSample().serializer())) {
            for (String h : List.of("h0", "h1", "h2")) {
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
            hosts.flush();
            // One extra window at the end closes the last real one by stream time.
            int seconds = (WINDOWS + 1) * (int) WINDOW.toSeconds();
            for (int s = 0; s < seconds; s += 2) {
                for (int v = 0; v < VMS; v++) {
                    String vm = "vm-" + v;
                    samples.send(new ProducerRecord<>(
                            Topics.VM_SAMPLES,
                            vm,
                            VmSample.newBuilder()
                                    .setVmId(vm)
                                    .setHostId("h" + (v % 3))
                                    .setTimestamp(t0.plusSeconds(s))
                                    .setMemorySizeMb(2048)
                                    .setVmSizeMb(500 + v)
                                    .setDirtiedPagesPerSec(100 + s)
                                    .setWorkingSetPages(1000L)
                                    .setCpuUtilPercent(20)
                                    .build()));
                }
                if (s == seconds / 2) {
                    samples.flush();
                    // Let the first half be processed, then kill one instance mid-stream.
                    await("first windows recommended")
                            .atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> countRecommendations(broker, Duration.ofMillis(500))
                                            .size()
                                    >= VMS);
                    first.close(Duration.ofSeconds(1));
                }
            }
            samples.flush();
        }

        // The last window closes by the wall clock once input stops, so every window counts.
        int expected = VMS * (WINDOWS + 1);
        await("windows recommended")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ZERO)
                .until(() -> countRecommendations(broker, Duration.ofSeconds(2)).size() >= expected);
        // A little longer, so a late duplicate would show up.
        Map<String, Integer> perWindow = countRecommendations(broker, Duration.ofSeconds(3));
        assertEquals(expected, perWindow.size(), "windows recommended");
        for (Map.Entry<String, Integer> e : perWindow.entrySet()) {
            assertEquals(1, e.getValue(), "recommendations for " + e.getKey());
        }
        assertTrue(running.get(1).state() == KafkaStreams.State.RUNNING, "the survivor kept running");
    }

    /** Committed recommendations per "vm@window", read from the beginning. */
    private static Map<String, Integer> countRecommendations(EmbeddedKafkaBroker broker, Duration pollFor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "count-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> counts = new HashMap<>();
        SchemaRegistry registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
        var deserializer = AdvisorSerdes.create(registry, Clock.systemUTC())
                .recommendation()
                .deserializer();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.MIGRATION_RECOMMENDATIONS));
            long end = System.nanoTime() + pollFor.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    MigrationRecommendation rec = deserializer.deserialize(r.topic(), r.value());
                    counts.merge(rec.getVmId() + "@" + rec.getProfileWindowEnd().toEpochMilli(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
