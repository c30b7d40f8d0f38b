package io.lmadvisor.benchmarks;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.serde.WireFormat;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How fast the advisor dead-letters poison (a main, not a test: timing on shared machines is noise).
 * Pre-loads {@code n} poison records of ten kinds into lm.vm-samples on the embedded broker, starts the
 * advisor (exactly_once_v2) and counts dead letters with a read_committed consumer until every one is
 * committed; also checks that each poison record has exactly one. A 5,000-VM fleet sends 5,000 samples/s.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.lmadvisor.benchmarks.PoisonBenchmark [n]</pre>
 */
public final class PoisonBenchmark {
    private static final String SCOPE = "poison-benchmark";
    private static final int PARTITIONS = 6;
    private static final String[] KINDS = {
        "tombstone",
        "null key",
        "key differs from vmId",
        "garbage bytes",
        "unknown schema id",
        "another topic's schema",
        "NaN dirty rate",
        "negative memory size",
        "clock 50 min ahead",
        "negative timestamp"
    };

    private PoisonBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), Clock.systemUTC());
        Path state = Files.createTempDirectory("lm-poison-bench-state");
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().partitions(PARTITIONS).build().start()) {
            for (var spec : Topics.all()) {
                broker.createTopic(spec.name(), PARTITIONS, spec.compacted());
            }
            long produceStart = System.nanoTime();
            produce(broker, serdes, n, Instant.now());
            System.out.printf(
                    "produced %,d poison records (%d kinds) in %.1f s%n",
                    n, KINDS.length, (System.nanoTime() - produceStart) / 1e9);

            Properties props = new Properties();
            props.putAll(registryConfig);
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lm-advisor-poison-bench");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
            props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
            try (ModelSource models = ModelSource.bundled(3);
                    AdvisorApplication app = AdvisorApplication.builder()
                            .properties(props)
                            .settings(AdvisorTopology.Settings.DEFAULTS)
                            .serdes(serdes)
                            .engine(models)
                            .build();
                    KafkaConsumer<byte[], byte[]> letters = committedReader(broker)) {
                long start = System.nanoTime();
                app.start();
                var deserializer = AvroSerdes.of(DeadLetter.class, SchemaRegistries.fromConfig(registryConfig), false)
                        .deserializer();
                Set<Long> sources = new HashSet<>();
                Map<String, Integer> reasons = new TreeMap<>();
                long count = 0;
                long firstNs = 0;
                while (count < n
                        && System.nanoTime() - start < Duration.ofMinutes(10).toNanos()) {
                    for (ConsumerRecord<byte[], byte[]> r : letters.poll(Duration.ofMillis(200))) {
                        DeadLetter d = deserializer.deserialize(Topics.DEAD_LETTERS, r.value());
                        if (firstNs == 0) {
                            firstNs = System.nanoTime();
                        }
                        count++;
                        sources.add(((long) d.getPartition() << 40) | d.getOffset());
                        reasons.merge(
                                d.getReason()
                                        .replaceAll("[0-9][0-9.:TZ+-]*", "#")
                                        .replaceAll("'[^']*'", "'…'"),
                                1,
                                Integer::sum);
                    }
                }
                long endNs = System.nanoTime();
                double totalS = (endNs - start) / 1e9;
                double steadyS = (endNs - firstNs) / 1e9;
                System.out.printf(
                        "dead letters committed: %,d of %,d poison records, %,d distinct sources (%s)%n",
                        count, n, sources.size(), count == n && sources.size() == n ? "exactly one each" : "MISMATCH");
                System.out.printf(
                        "start -> last dead letter committed: %.1f s = %,.0f records/s (start-up and rebalance included)%n",
                        totalS, n / totalS);
                System.out.printf(
                        "first -> last dead letter committed: %.1f s = %,.0f records/s%n", steadyS, n / steadyS);
                reasons.forEach((reason, c) -> System.out.printf("  %,7d  %s%n", c, reason));
            }
        } finally {
            MockSchemaRegistry.drop(SCOPE);
        }
    }

    private static void produce(EmbeddedKafkaBroker broker, AdvisorSerdes serdes, int n, Instant now) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        byte[] otherSchema = serdes.hostSample()
                .serializer()
                .serialize(
                        Topics.HOST_SAMPLES,
                        HostSample.newBuilder()
                                .setHostId("h")
                                .setTimestamp(now)
                                .setCpuCores(4)
                                .setCpuAvailPercent(100)
                                .setMemTotalMb(1024)
                                .setMemAvailMb(512)
                                .setMigrationLinkSpeedMBps(100)
                                .setMigrationLinkAvailMBps(100)
                                .build());
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String vm = "vm-" + i % 5000;
                VmSample.Builder s = VmSample.newBuilder()
                        .setVmId(vm)
                        .setHostId("h")
                        .setTimestamp(now)
                        .setMemorySizeMb(2048)
                        .setVmSizeMb(1024)
                        .setDirtiedPagesPerSec(100)
                        .setCpuUtilPercent(10);
                byte[] key = vm.getBytes(StandardCharsets.UTF_8);
                byte[] value = switch (i % KINDS.length) {
                    case 0 -> null;
                    case 1 -> {
                        key = null;
                        yield sample(serdes, s);
                    }
                    case 2 -> {
                        key = "vm-elsewhere".getBytes(StandardCharsets.UTF_8);
                        yield sample(serdes, s);
                    }
                    case 3 -> ("{\"vmId\":\"" + vm + "\"}").getBytes(StandardCharsets.UTF_8);
                    case 4 -> {
                        byte[] b = sample(serdes, s);
                        WireFormat.writeHeader(b, 987_654);
                        yield b;
                    }
                    case 5 -> otherSchema;
                    case 6 -> sample(serdes, s.setDirtiedPagesPerSec(Double.NaN));
                    case 7 -> sample(serdes, s.setMemorySizeMb(-1));
                    case 8 -> sample(serdes, s.setTimestamp(now.plus(Duration.ofMinutes(50))));
                    default -> sample(serdes, s.setTimestamp(Instant.ofEpochMilli(-1)));
                };
                p.send(new ProducerRecord<>(Topics.VM_SAMPLES, null, now.toEpochMilli(), key, value));
            }
        }
    }

    private static byte[] sample(AdvisorSerdes serdes, VmSample.Builder s) {
        return serdes.vmSample().serializer().serialize(Topics.VM_SAMPLES, s.build());
    }

    private static KafkaConsumer<byte[], byte[]> committedReader(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-bench-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(Topics.DEAD_LETTERS));
        return c;
    }
}
