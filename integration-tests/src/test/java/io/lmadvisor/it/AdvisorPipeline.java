package io.lmadvisor.it;

import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A demo-like advisor for the integration tests: every topic on the embedded broker, a {@code mock://} registry,
 * the advisor through {@link AdvisorApplication} with HTTP (and the dashboard) on a free loopback port, the
 * bundled model, and a simulated fleet publishing on its own thread until {@link #close()}.
 */
final class AdvisorPipeline implements AutoCloseable {
    final String scope;
    final Map<String, Object> registryConfig;
    final AdvisorSerdes serdes;
    final ModelSource model;
    final int port;
    final AdvisorApplication app;
    private final EmbeddedKafkaBroker broker;
    private final AtomicBoolean stop = new AtomicBoolean();

    AdvisorPipeline(EmbeddedKafkaBroker broker, Path stateDir, String name, String token) throws IOException {
        this.broker = broker;
        for (TopicSpec spec : Topics.all()) {
            broker.createTopic(spec.name(), 3, spec.compacted());
        }
        scope = name;
        registryConfig = Map.of("schema.registry.url", "mock://" + scope);
        serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), java.time.Clock.systemUTC());
        port = freePort();
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        model = ModelSource.bundled(3);
        app = AdvisorApplication.builder()
                .properties(p)
                .settings(new AdvisorTopology.Settings(Duration.ofSeconds(20), Duration.ofSeconds(2), 50))
                .serdes(serdes)
                .engine(model)
                .metrics(new AdvisorMetrics())
                .http(
                        new InetSocketAddress("127.0.0.1", port),
                        new HostInfo("127.0.0.1", port),
                        token,
                        () -> model.get().modelVersion())
                .build();
        app.start();
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** Producer and registry settings for other clients (the simulated executor). */
    Map<String, Object> clientConfig() {
        Map<String, Object> clients = new HashMap<>(registryConfig);
        clients.put("bootstrap.servers", broker.bootstrapServers());
        return clients;
    }

    /**
     * Publishes {@code backfill} of the fleet's event time at {@code speedup}×, then live; while
     * {@code hostsFull} holds, every host reports no free memory or CPU.
     */
    void publishFleet(int hosts, int vms, Duration backfill, int speedup, BooleanSupplier hostsFull) {
        Thread t = new Thread(() -> publish(hosts, vms, backfill, speedup, hostsFull), "it-fleet");
        t.setDaemon(true);
        t.start();
    }

    private void publish(int hostCount, int vms, Duration backfill, int speedup, BooleanSupplier hostsFull) {
        SimpleFleet fleet = new SimpleFleet(hostCount, vms, 11);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        long wallStart = System.currentTimeMillis();
        long eventStart = (wallStart - backfill.toMillis()) / 20_000 * 20_000;
        long next = eventStart;
        try (KafkaProducer<String, VmSample> samples = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.vmSample().serializer());
                KafkaProducer<String, HostSample> hosts = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.hostSample().serializer())) {
            while (!stop.get()) {
                long wall = System.currentTimeMillis();
                long eventNow = Math.min(eventStart + (wall - wallStart) * speedup, wall);
                for (; next <= eventNow; next += 1000) {
                    Instant at = Instant.ofEpochMilli(next);
                    for (HostSample h : fleet.hostSamples(at)) {
                        HostSample sent = hostsFull.getAsBoolean()
                                ? HostSample.newBuilder(h)
                                        .setMemAvailMb(0)
                                        .setCpuAvailPercent(0)
                                        .build()
                                : h;
                        hosts.send(new ProducerRecord<>(Topics.HOST_SAMPLES, null, next, sent.getHostId(), sent));
                    }
                    for (VmSample s : fleet.vmSamples(at)) {
                        samples.send(new ProducerRecord<>(Topics.VM_SAMPLES, null, next, s.getVmId(), s));
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        stop.set(true);
        app.close();
        MockSchemaRegistry.drop(scope);
    }
}
