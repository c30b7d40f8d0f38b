package io.lmadvisor.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.AgentRunner;
import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.publish.KafkaOutput;
import io.lmadvisor.agent.publish.KafkaPublisher;
import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.serde.AvroSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replays into a real broker: file to topic, and a time range of one topic into another. */
class ReplayIT {
    private static final String SCOPE = "replay-it";
    private static final Map<String, Object> REGISTRY = Map.of("schema.registry.url", "mock://" + SCOPE);
    // Recent, whole-second event time: the broker refuses timestamps over an hour ahead only.
    private static final Instant T0 = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    private static final int SECONDS = 40;
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build().start();
        for (String t : List.of("file.vm", "file.host", "copy.vm", "copy.host")) {
            broker.createTopic(t, 3, false);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
        MockSchemaRegistry.drop(SCOPE);
    }

    private static List<SpecificRecord> recorded() {
        SimpleFleet fleet = new SimpleFleet(2, 5, 11);
        List<SpecificRecord> out = new ArrayList<>();
        for (int s = 0; s < SECONDS; s++) {
            out.addAll(fleet.hostSamples(T0.plusSeconds(s)));
            out.addAll(fleet.vmSamples(T0.plusSeconds(s)));
        }
        return out;
    }

    /** The records as {@code --dry-run} prints them. */
    private Path writeDryRunLines(List<SpecificRecord> records, String name) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        records.forEach(r -> lines.add(AvroJson.write(AvroJson.toJson(r))));
        return Files.write(tmp.resolve(name), lines);
    }

    /** Runs a replay source through the real agent loop into topics, at max speed. */
    private AgentCounters replay(ReplaySource source, String vmTopic, String hostTopic, String spoolName)
            throws InterruptedException {
        AgentCounters counters = new AgentCounters();
        DiskSpool spool = DiskSpool.open(tmp.resolve(spoolName), 1 << 20, 1 << 16);
        KafkaPublisher.Settings settings = KafkaPublisher.Settings.defaults();
        Map<String, Object> producerConfig =
                KafkaPublisher.producerConfig(broker.bootstrapServers(), "zstd", settings.deliveryTimeoutMs());
        KafkaPublisher publisher =
                new KafkaPublisher(() -> new KafkaProducer<>(producerConfig), spool, counters, settings);
        try (KafkaOutput output = new KafkaOutput(
                AvroSerdes.of(VmSample.class, REGISTRY, false).serializer(),
                AvroSerdes.of(HostSample.class, REGISTRY, false).serializer(),
                vmTopic,
                hostTopic,
                publisher,
                spool,
                counters,
                Duration.ofSeconds(10))) {
            assertTrue(source.unpaced());
            new AgentRunner(
                            source,
                            output,
                            counters,
                            new AgentRunner.Settings(0, Duration.ofSeconds(30), Duration.ofHours(1)),
                            line -> {})
                    .run();
            assertTrue(source.exhausted(), "the runner stops at the end of the replay");
        }
        assertEquals(counters.taken.get(), counters.sent.get(), counters.summary());
        return counters;
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(List<String> topics, int expected) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-it-" + topics.get(0));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(topics);
            // Polled on this thread only: KafkaConsumer is single-threaded.
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        c.poll(Duration.ofMillis(200)).forEach(out::add);
                        return out.size() >= expected;
                    });
            c.poll(Duration.ofMillis(500)).forEach(out::add); // duplicates would show up here
        }
        return out;
    }

    /** Per key, the event times in partition order; checks record timestamp = event time. */
    private static Map<String, List<Long>> timesByKey(List<ConsumerRecord<byte[], byte[]>> records) {
        var vm = AvroSerdes.of(VmSample.class, REGISTRY, false).deserializer();
        var host = AvroSerdes.of(HostSample.class, REGISTRY, false).deserializer();
        Map<String, List<Long>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            long ts = r.topic().endsWith(".vm")
                    ? vm.deserialize(r.topic(), r.value()).getTimestamp().toEpochMilli()
                    : host.deserialize(r.topic(), r.value()).getTimestamp().toEpochMilli();
            assertEquals(ts, r.timestamp(), "record timestamp is the original event time");
            out.computeIfAbsent(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(ts);
        }
        return out;
    }

    private static void assertEverySecondOnceInOrder(
            Map<String, List<Long>> byKey, int keys, long fromMs, int seconds) {
        assertEquals(keys, byKey.size());
        byKey.forEach((key, times) -> {
            List<Long> expected = new ArrayList<>();
            for (int s = 0; s < seconds; s++) {
                expected.add(fromMs + s * 1000L);
            }
            assertEquals(expected, times, key);
        });
    }

    @Test
    void aFileReplaysIntoTopicsWithOriginalTimestampsInOrder() throws Exception {
        List<SpecificRecord> recorded = recorded();
        Path file = writeDryRunLines(recorded, "recorded.jsonl");

        AgentCounters counters = replay(
                ReplaySource.fromFile(file, ReplaySource.parseSpeed("max"), false),
                "file.vm",
                "file.host",
                "spool-file");
        assertEquals(recorded.size(), counters.taken.get());

        List<ConsumerRecord<byte[], byte[]>> got = consume(List.of("file.vm", "file.host"), recorded.size());
        assertEquals(recorded.size(), got.size());
        assertEverySecondOnceInOrder(timesByKey(got), 7, T0.toEpochMilli(), SECONDS);
    }

    @Test
    void aTimeRangeOfATopicReplaysIntoAnotherTopic() throws Exception {
        Path file = writeDryRunLines(recorded(), "source.jsonl");
        replay(ReplaySource.fromFile(file, ReplaySource.parseSpeed("max"), false), "copy.vm", "copy.host", "spool-a");

        // Seconds 10..29 of the VM topic into a fresh topic.
        broker.createTopic("range.vm", 3, false);
        Map<String, Object> consumerConfig = new HashMap<>(REGISTRY);
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        ReplaySource range = ReplaySource.fromTopic(
                consumerConfig,
                "copy.vm",
                T0.plusSeconds(10),
                T0.plusSeconds(30),
                ReplaySource.parseSpeed("max"),
                false);
        AgentCounters counters = replay(range, "range.vm", "unused.host", "spool-b");
        assertEquals(5 * 20, counters.taken.get(), counters.summary());
        assertEquals(0, counters.problems.get());

        List<ConsumerRecord<byte[], byte[]>> got = consume(List.of("range.vm"), 100);
        assertEquals(100, got.size());
        assertEverySecondOnceInOrder(timesByKey(got), 5, T0.plusSeconds(10).toEpochMilli(), 20);
    }
}
