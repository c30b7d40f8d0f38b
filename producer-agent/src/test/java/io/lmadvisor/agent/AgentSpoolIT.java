package io.lmadvisor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.publish.KafkaOutput;
import io.lmadvisor.agent.publish.KafkaPublisher;
import io.lmadvisor.agent.publish.SchemaIds;
import io.lmadvisor.agent.simulate.SimulatedSource;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.registry.KafkaSchemaStore;
import io.lmadvisor.embedded.registry.RegistryHttpServer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.serde.AvroSerializer;
import io.lmadvisor.topics.Topics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a real broker, and a real registry, that go away and come back on the same
 * port and data: samples taken while either is down are spooled on disk and arrive afterwards,
 * each exactly once and in order per key.
 */
class AgentSpoolIT {
    private static final String SCOPE = "agent-spool-it";
    private static final int VMS = 6;
    private static final int HOSTS = 2;
    private static final int PER_TICK = VMS + HOSTS;
    private static final Map<String, Object> REGISTRY = Map.of("schema.registry.url", "mock://" + SCOPE);

    @TempDir
    Path tmp;

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.drop(SCOPE);
    }

    private EmbeddedKafkaBroker broker(int port) {
        return EmbeddedKafkaBroker.builder()
                .dataDir(tmp.resolve("kafka"))
                .port(port)
                .startupTimeout(Duration.ofSeconds(30))
                .build()
                .start();
    }

    private static void createSampleTopics(EmbeddedKafkaBroker broker) {
        broker.createTopic(Topics.VM_SAMPLES, Topics.VM_KEYED_PARTITIONS, false);
        broker.createTopic(Topics.HOST_SAMPLES, 3, false);
    }

    @Test
    void samplesTakenWhileTheBrokerIsDownArriveOnceAndInOrderAfterItIsBack() throws Exception {
        int port = freePort();
        EmbeddedKafkaBroker broker = broker(port);
        createSampleTopics(broker);
        String bootstrap = broker.bootstrapServers();

        Agent agent = new Agent(bootstrap, tmp.resolve("spool"));
        AgentCounters counters = agent.counters;
        DiskSpool spool = agent.spool;
        try {
            int perTick = PER_TICK;
            await(
                    "3 ticks sent directly",
                    Duration.ofSeconds(10),
                    () -> counters.sent.get() >= 3L * perTick && counters.sent.get() == counters.taken.get());
            // Stop between ticks, with nothing in flight: a record the broker wrote but never acked
            // would come back from the spool as a duplicate, which this test must not provoke.
            awaitMidSecond();
            broker.close();

            System.out.println("broker closed at " + Instant.now() + "; " + counters.summary());
            await(
                    "samples spooled while the broker is down",
                    Duration.ofSeconds(20),
                    () -> counters.spooling() && spool.records() >= 4L * perTick);
            // Then at least one drain attempt must fail too, while the broker is still down.
            long failuresOfDirectSend = counters.sendFailures.get();
            await(
                    "a drain attempt failing",
                    Duration.ofSeconds(20),
                    () -> counters.sendFailures.get() > failuresOfDirectSend);
            assertTrue(counters.spooled.get() >= 4L * perTick, counters.summary());
            long unaccounted = counters.taken.get() - counters.sent.get() - spool.records();
            assertTrue(
                    unaccounted >= 0 && unaccounted <= perTick,
                    "at most the tick being taken is elsewhere: " + counters.summary());
            assertTrue(spool.bytes() > 0, counters.summary());
            assertTrue(counters.sendFailures.get() > 0, counters.summary());
            long spooledWhileDown = counters.spooled.get();

            broker = broker(port);
            await(
                    "spool drained after the broker is back",
                    Duration.ofSeconds(30),
                    () -> !counters.spooling() && spool.isEmpty());
            long takenAtDrain = counters.taken.get();
            await(
                    "two more ticks sent directly",
                    Duration.ofSeconds(10),
                    () -> counters.taken.get() >= takenAtDrain + 2L * perTick
                            && counters.sent.get() == counters.taken.get());
            assertTrue(counters.spooled.get() >= spooledWhileDown);
        } finally {
            agent.stop();
        }
        assertEquals(0, counters.dropped.get(), counters.summary());
        assertEquals(counters.taken.get(), counters.sent.get(), counters.summary());

        Map<String, List<Long>> byKey = consumeAll(broker.bootstrapServers(), REGISTRY, (int) counters.taken.get());
        broker.close();
        long received = byKey.values().stream().mapToLong(List::size).sum();
        assertEquals(counters.taken.get(), received, "every sample taken arrives once: " + counters.summary());
        assertEquals(VMS + HOSTS, byKey.size());
        long ticks = counters.taken.get() / (VMS + HOSTS);
        for (Map.Entry<String, List<Long>> e : byKey.entrySet()) {
            List<Long> ts = e.getValue();
            assertEquals(ticks, ts.size(), e.getKey() + ": one sample per tick");
            for (int i = 1; i < ts.size(); i++) {
                assertEquals(ts.get(i - 1) + 1000, ts.get(i), e.getKey() + " in order, no gap, no duplicate at " + i);
            }
        }
    }

    /** The agent as the CLI assembles it: simulate source, Kafka output, spool; its loop on a thread. */
    private static final class Agent {
        final AgentCounters counters = new AgentCounters();
        final DiskSpool spool;
        private final KafkaOutput output;
        private final AgentRunner runner;
        private final Thread loop;

        Agent(String bootstrap, Path spoolDir) {
            this(bootstrap, spoolDir, REGISTRY);
        }

        Agent(String bootstrap, Path spoolDir, Map<String, Object> registry) {
            spool = DiskSpool.open(spoolDir, 16 << 20, 1 << 20);
            KafkaPublisher.Settings settings = new KafkaPublisher.Settings(500, 100_000, 500, 4_000);
            SchemaIds schemaIds = new SchemaIds(SchemaRegistries.fromConfig(registry), true);
            KafkaPublisher publisher = new KafkaPublisher(
                    () -> new KafkaProducer<>(
                            KafkaPublisher.producerConfig(bootstrap, "lz4", settings.deliveryTimeoutMs())),
                    spool,
                    counters,
                    settings,
                    schemaIds);
            output = new KafkaOutput(
                    new AvroSerializer<VmSample>(schemaIds.placeholders()),
                    new AvroSerializer<HostSample>(schemaIds.placeholders()),
                    Topics.VM_SAMPLES,
                    Topics.HOST_SAMPLES,
                    publisher,
                    spool,
                    counters,
                    Duration.ofSeconds(10));
            runner = new AgentRunner(
                    new SimulatedSource(HOSTS, VMS, 7),
                    output,
                    counters,
                    new AgentRunner.Settings(1000, null, Duration.ofSeconds(2)),
                    line -> System.out.println("status: " + line));
            loop = new Thread(
                    () -> {
                        try {
                            runner.run();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "agent-loop");
            loop.start();
        }

        /** Stops like SIGTERM does: loop first, then flush (producer, spool fsync). */
        void stop() throws InterruptedException {
            runner.stop();
            loop.join(5_000);
            output.close();
        }
    }

    @Test
    void whatOneAgentSpooledTheNextAgentSendsFirst() throws Exception {
        int port = freePort();
        EmbeddedKafkaBroker broker = broker(port);
        createSampleTopics(broker);
        String bootstrap = broker.bootstrapServers();
        Path spoolDir = tmp.resolve("spool");

        Agent first = new Agent(bootstrap, spoolDir);
        try {
            await(
                    "2 ticks sent",
                    Duration.ofSeconds(10),
                    () -> first.counters.sent.get() >= 2L * PER_TICK
                            && first.counters.sent.get() == first.counters.taken.get());
            awaitMidSecond();
            broker.close();
            await("3 ticks spooled", Duration.ofSeconds(20), () -> first.spool.records() >= 3L * PER_TICK);
        } finally {
            first.stop(); // with the broker still down
        }
        long takenByFirst = first.counters.taken.get();
        long leftInSpool = first.spool.records();
        assertEquals(
                takenByFirst,
                first.counters.sent.get() + leftInSpool,
                "nothing lost at shutdown: " + first.counters.summary());
        assertEquals(0, first.counters.dropped.get());

        broker = broker(port);
        Agent second = new Agent(bootstrap, spoolDir);
        try {
            // sent counts the first agent's spooled records too: they go out before the new ones.
            await(
                    "old spool drained and 2 new ticks sent",
                    Duration.ofSeconds(30),
                    () -> second.spool.isEmpty()
                            && second.counters.taken.get() >= 2L * PER_TICK
                            && second.counters.sent.get() == second.counters.taken.get() + leftInSpool);
        } finally {
            second.stop();
        }
        long taken = takenByFirst + second.counters.taken.get();
        Map<String, List<Long>> byKey = consumeAll(broker.bootstrapServers(), REGISTRY, (int) taken);
        broker.close();
        assertEquals(taken, byKey.values().stream().mapToLong(List::size).sum(), "every sample once");
        for (Map.Entry<String, List<Long>> e : byKey.entrySet()) {
            List<Long> ts = e.getValue();
            assertEquals(taken / PER_TICK, ts.size(), e.getKey());
            for (int i = 1; i < ts.size(); i++) {
                // A gap between the two agents, but never a step back or a repeat.
                assertTrue(ts.get(i) > ts.get(i - 1), e.getKey() + " in order without duplicates at " + i + ": " + ts);
            }
        }
    }

    /**
     * An agent that starts before its registry: samples wait in the spool and arrive once it
     * answers; once the ids are cached, a second registry outage costs nothing.
     */
    @Test
    void samplesTakenWhileTheRegistryIsDownArriveOnceAndInOrder() throws Exception {
        EmbeddedKafkaBroker broker = broker(freePort());
        createSampleTopics(broker);
        String bootstrap = broker.bootstrapServers();
        int registryPort = freePort();
        Map<String, Object> registry = Map.of("schema.registry.url", "http://127.0.0.1:" + registryPort);
        InetSocketAddress registryAddress = new InetSocketAddress("127.0.0.1", registryPort);
        KafkaSchemaStore store = null;
        RegistryHttpServer http = null;
        Agent agent = new Agent(bootstrap, tmp.resolve("spool"), registry);
        AgentCounters counters = agent.counters;
        try {
            Awaitility.await("3 ticks spooled while no registry answers")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> counters.registryUnreachable() && agent.spool.records() >= 3L * PER_TICK);
            assertEquals(0, counters.sent.get(), counters.summary());
            assertTrue(counters.summary().contains("schema registry unreachable"), counters.summary());

            store = KafkaSchemaStore.open(Map.of("bootstrap.servers", bootstrap), Duration.ofSeconds(30));
            http = new RegistryHttpServer(store.registry(), registryAddress).start();
            Awaitility.await("spool drained once the registry answers")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> !counters.spooling()
                            && agent.spool.isEmpty()
                            && counters.sent.get() == counters.taken.get()
                            && !counters.registryUnreachable());

            http.close(); // down again: the ids are cached, so samples go straight on
            long takenWhenDown = counters.taken.get();
            Awaitility.await("3 ticks sent directly with the registry down")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> counters.taken.get() >= takenWhenDown + 3L * PER_TICK
                            && counters.sent.get() == counters.taken.get());
            assertFalse(counters.spooling(), counters.summary());
        } finally {
            agent.stop();
        }
        assertEquals(0, counters.dropped.get(), counters.summary());
        assertEquals(counters.taken.get(), counters.sent.get(), counters.summary());

        http = new RegistryHttpServer(store.registry(), registryAddress).start();
        try {
            Map<String, List<Long>> byKey = consumeAll(bootstrap, registry, (int) counters.taken.get());
            assertEquals(
                    counters.taken.get(),
                    byKey.values().stream().mapToLong(List::size).sum(),
                    "every sample taken arrives once: " + counters.summary());
            for (Map.Entry<String, List<Long>> e : byKey.entrySet()) {
                List<Long> ts = e.getValue();
                for (int i = 1; i < ts.size(); i++) {
                    assertEquals(
                            ts.get(i - 1) + 1000, ts.get(i), e.getKey() + " in order, no gap, no duplicate at " + i);
                }
            }
        } finally {
            http.close();
            store.close();
            broker.close();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Timestamps per key (vmId or hostId), in the order the topic partitions hold them. */
    private static Map<String, List<Long>> consumeAll(String bootstrap, Map<String, Object> registry, int expected) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, "agent-spool-it");
        Map<String, List<Long>> byKey = new TreeMap<>();
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.VM_SAMPLES, Topics.HOST_SAMPLES));
            // The consumer is polled on this thread only (KafkaConsumer is single-threaded).
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(all::add);
                        return all.size() >= expected;
                    });
            // Keep polling for 2 s past the expected count, so duplicates would show up.
            Awaitility.await()
                    .during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(all::add);
                        return true;
                    });
        }
        var vmDeser = AvroSerdes.of(VmSample.class, registry, false).deserializer();
        var hostDeser = AvroSerdes.of(HostSample.class, registry, false).deserializer();
        for (ConsumerRecord<byte[], byte[]> r : all) {
            String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            Instant ts;
            if (r.topic().equals(Topics.VM_SAMPLES)) {
                VmSample v = vmDeser.deserialize(r.topic(), r.value());
                assertEquals(key, v.getVmId());
                ts = v.getTimestamp();
            } else {
                HostSample h = hostDeser.deserialize(r.topic(), r.value());
                assertEquals(key, h.getHostId());
                ts = h.getTimestamp();
            }
            assertEquals(ts.toEpochMilli(), r.timestamp(), "record timestamp is the event time");
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(ts.toEpochMilli());
        }
        return byKey;
    }

    private static void awaitMidSecond() throws InterruptedException {
        long ms = System.currentTimeMillis() % 1000;
        Thread.sleep(ms < 400 ? 400 - ms : 1400 - ms);
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        try {
            Awaitility.await(what)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(50))
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException timedOut) {
            Thread.getAllStackTraces().forEach((t, st) -> {
                if (t.getName().contains("lm-agent") || t.getName().equals("main")) {
                    System.out.println("THREAD " + t.getName());
                    for (StackTraceElement e : st) {
                        System.out.println("    " + e);
                    }
                }
            });
            throw new AssertionError("timed out waiting for: " + what, timedOut);
        }
    }
}
