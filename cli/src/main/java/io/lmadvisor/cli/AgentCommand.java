package io.lmadvisor.cli;

import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host agent. Only the {@code simulate} source exists so far: a fleet publishing one sample per VM
 * and host per second, in real time, to Kafka or (with {@code --dry-run}) as JSON lines on stdout.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Sample VMs and hosts every second and publish them (source: simulate; procfs, qmp and replay are not built yet).")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, description = "procfs, qmp, simulate or replay.")
    String source;

    @Option(names = "--dry-run", description = "Print one JSON sample per line instead of publishing.")
    boolean dryRun;

    @Option(names = "--duration", converter = DurationConverter.class, description = "Stop after this long (default: until Ctrl-C).")
    Duration duration;

    @Option(names = "--vms", defaultValue = "12", description = "simulate: VMs (default: ${DEFAULT-VALUE}).")
    int vms;

    @Option(names = "--hosts", defaultValue = "4", description = "simulate: hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--seed", defaultValue = "42", description = "simulate: seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--bootstrap-servers", description = "Kafka cluster (required unless --dry-run).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema Registry (required unless --dry-run).")
    String schemaRegistryUrl;

    @Option(names = "--status-every", defaultValue = "10s", converter = DurationConverter.class,
            description = "How often to log counts (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    @Override
    public Integer call() throws Exception {
        String s = source.toLowerCase(Locale.ROOT);
        if (!s.equals("simulate")) {
            if (s.equals("procfs") || s.equals("qmp") || s.equals("replay")) {
                System.err.println("lm-advisor agent: the '" + s + "' source is not built yet in this version.");
                return NotBuiltYet.EXIT_NOT_BUILT;
            }
            throw new IllegalArgumentException("--source must be procfs, qmp, simulate or replay");
        }
        if (!dryRun && (bootstrapServers == null || schemaRegistryUrl == null)) {
            throw new IllegalArgumentException("--bootstrap-servers and --schema-registry-url are required unless --dry-run");
        }
        SimpleFleet fleet = new SimpleFleet(hosts, vms, seed);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        KafkaProducer<String, VmSample> vmProducer = null;
        KafkaProducer<String, HostSample> hostProducer = null;
        try {
            if (!dryRun) {
                Map<String, Object> cfg = new HashMap<>();
                cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                cfg.put(ProducerConfig.ACKS_CONFIG, "all");
                cfg.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
                cfg.put(ProducerConfig.LINGER_MS_CONFIG, 20);
                Map<String, Object> registry = Map.of("schema.registry.url", schemaRegistryUrl);
                Serializer<VmSample> vmSer = AvroSerdes.of(VmSample.class, registry, false).serializer();
                Serializer<HostSample> hostSer = AvroSerdes.of(HostSample.class, registry, false).serializer();
                vmProducer = new KafkaProducer<>(cfg, new StringSerializer(), vmSer);
                hostProducer = new KafkaProducer<>(cfg, new StringSerializer(), hostSer);
            }
            long deadline = duration == null ? Long.MAX_VALUE : System.currentTimeMillis() + duration.toMillis();
            long nextStatus = System.currentTimeMillis() + statusEvery.toMillis();
            long nextSecond = System.currentTimeMillis() / 1000 * 1000;
            while (stop.getCount() > 0 && System.currentTimeMillis() < deadline) {
                Instant at = Instant.ofEpochMilli(nextSecond);
                for (HostSample h : fleet.hostSamples(at)) {
                    publish(hostProducer, Topics.HOST_SAMPLES, h.getHostId(), h);
                }
                for (VmSample v : fleet.vmSamples(at)) {
                    publish(vmProducer, Topics.VM_SAMPLES, v.getVmId(), v);
                }
                if (System.currentTimeMillis() >= nextStatus) {
                    System.err.printf("lm-advisor agent: samples taken %d, sent %d, failed %d%n", taken.get(), sent.get(), failed.get());
                    nextStatus += statusEvery.toMillis();
                }
                nextSecond += 1000;
                stop.await(Math.max(0, nextSecond - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            }
        } finally {
            if (vmProducer != null) {
                vmProducer.close(Duration.ofSeconds(10));
            }
            if (hostProducer != null) {
                hostProducer.close(Duration.ofSeconds(10));
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook has run
            }
        }
        System.err.printf("lm-advisor agent: done: samples taken %d, sent %d, failed %d%n", taken.get(), sent.get(), failed.get());
        return failed.get() == 0 ? 0 : 1;
    }

    private <T extends org.apache.avro.specific.SpecificRecord> void publish(KafkaProducer<String, T> producer, String topic,
                                                                            String key, T value) {
        taken.incrementAndGet();
        if (producer == null) {
            System.out.println(AvroJson.write(AvroJson.toJson(value)));
            sent.incrementAndGet();
            return;
        }
        producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
            if (e == null) {
                sent.incrementAndGet();
            } else {
                failed.incrementAndGet();
                System.err.println("lm-advisor agent: cannot publish to " + topic + ": " + e.getMessage());
            }
        });
    }
}
