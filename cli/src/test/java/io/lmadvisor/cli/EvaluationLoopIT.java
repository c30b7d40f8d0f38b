package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.executor.ExecutorSettings;
import io.lmadvisor.executor.MigrationExecutorRunner;
import io.lmadvisor.executor.SimulatedExecutor;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.ErrorMetrics;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.evaluation.Cells;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.risk.RiskRules;
import io.lmadvisor.topics.TopicSpec;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a real broker with the bundled model: a simulated fleet's samples → profiles and
 * recommendations → the simulated executor's outcomes → evaluation figures, which must equal a hand
 * computation from the outcomes and recommendations read back from the topics; then the training
 * rows exported as a csap file the dataset reader accepts.
 */
@WithEmbeddedKafka(partitions = 3)
class EvaluationLoopIT {
    private static final String SCOPE = "evaluation-loop-it";
    private static final int VMS = 18;
    private static final int HOSTS = 9;
    /** Event seconds per wall second: a 20 s window closes every second, never two at once for a VM. */
    private static final int SPEEDUP = 20;

    private static final Duration BACKFILL = Duration.ofMinutes(3);
    private static final Duration PRODUCE_FOR = Duration.ofSeconds(30);

    private final Map<String, Object> registryConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        MockSchemaRegistry.drop(SCOPE);
    }

    @Test
    void executedAdviceIsEvaluatedAsComputedByHand(EmbeddedKafkaBroker broker) throws Exception {
        for (TopicSpec spec : Topics.all()) {
            broker.createTopic(spec.name(), 3, spec.compacted());
        }
        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(registryConfig), Clock.systemUTC());
        AdvisorMetrics metrics = new AdvisorMetrics();
        int port = freePort();
        KafkaStreams streams = startAdvisor(broker, serdes, metrics, port);
        Map<String, Object> clients = new HashMap<>(registryConfig);
        clients.put("bootstrap.servers", broker.bootstrapServers());
        MigrationExecutorRunner executor =
                new MigrationExecutorRunner(clients, ExecutorSettings.defaults().withSeed(7));
        open.add(executor);
        executor.start();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        Instant testStart = Instant.now();
        publishFleet(broker, serdes);
        Awaitility.await("the executor acts on the recommendations")
                .atMost(Duration.ofSeconds(30))
                .until(() -> executor.stats().executed() >= 10);
        executor.close();
        assertTrue(
                executor.stats().executed() >= 10,
                "executed only " + executor.stats().executed());

        List<MigrationOutcome> outcomes =
                readAll(broker, Topics.MIGRATION_OUTCOMES, serdes.outcome().deserializer());
        List<MigrationRecommendation> recs = readAll(
                broker,
                Topics.MIGRATION_RECOMMENDATIONS,
                serdes.recommendation().deserializer());
        List<VmProfile> profiles =
                readAll(broker, Topics.VM_PROFILES, serdes.vmProfile().deserializer());
        assertEquals(executor.stats().executed(), outcomes.size());
        Expected expected = byHand(outcomes, recs, profiles);

        Map<String, PredictionEvaluation> figures = awaitFigures(broker, serdes, expected);
        assertEquals(expected.errors.keySet(), withoutRisk(figures.keySet()));
        for (Map.Entry<String, List<double[]>> cell : expected.errors.entrySet()) {
            double[] p = cell.getValue().stream().mapToDouble(pa -> pa[0]).toArray();
            double[] a = cell.getValue().stream().mapToDouble(pa -> pa[1]).toArray();
            PredictionEvaluation e = figures.get(cell.getKey());
            assertEquals(p.length, e.getWindowN(), cell.getKey());
            assertEquals(ErrorMetrics.gMRE(p, a), e.getWindowGmre(), 1e-9, cell.getKey());
            assertEquals(ErrorMetrics.gMRE(p, a), e.getSinceStartGmre(), 1e-9, cell.getKey());
            assertEquals(ErrorMetrics.medianRE(p, a), e.getWindowMedianRe(), 1e-9, cell.getKey());
            assertEquals(ErrorMetrics.p90RE(p, a), e.getWindowP90Re(), 1e-9, cell.getKey());
        }
        PredictionEvaluation risk = figures.get(Cells.PRECOPY_RISK_CELL);
        if (expected.riskN > 0) {
            assertEquals(expected.riskN, risk.getSinceStartN());
            assertEquals(expected.riskPredicted, risk.getRiskPredictedN());
            assertEquals(expected.riskHappened, risk.getRiskHappenedN());
            assertEquals(expected.riskHits, risk.getRiskHitN());
        }
        assertEquals(0, metrics.outcomesRescored.sum(), "the executor follows the advice's destination and bandwidth");
        assertEquals(0, metrics.outcomesUnmatched.sum());

        // The single aggregating instance answers GET /evaluation from its store.
        JsonNode served = new ObjectMapper()
                .readTree(HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/evaluation"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
        assertEquals(figures.size(), served.get("cells").size());
        for (JsonNode cell : served.get("cells")) {
            assertEquals(
                    figures.get(cell.get("cell").asText()).getSinceStartN(),
                    cell.get("sinceStartN").asLong());
        }

        String prometheus = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        String someCell = expected.errors.keySet().iterator().next();
        PredictionEvaluation some = figures.get(someCell);
        String series =
                "lm_evaluation_n{algorithm=\"" + Cells.algorithm(someCell).shortName() + "\",metric=\""
                        + Cells.metric(someCell) + "\",scope=\"since_start\"} " + (double) some.getSinceStartN();
        assertTrue(prometheus.contains(series), series + " not in /metrics");

        // Training rows: one per completed migration, a csap file the reader takes as it is.
        Path file = dir.resolve("fleet.csv");
        TrainingDataExport.Result r = TrainingDataExport.export(
                Map.of("bootstrap.servers", broker.bootstrapServers()),
                Topics.TRAINING_ROWS,
                testStart.minus(Duration.ofHours(1)),
                null,
                file,
                line -> {});
        assertEquals(expected.completedTotalTimeMs.size(), r.written());
        assertEquals(0, r.malformed());
        Dataset d = DatasetFormat.CSAP.read(file, ReadOptions.defaults());
        assertEquals(List.of(), d.badRows());
        assertEquals(expected.completedTotalTimeMs.size(), d.records().size());
        List<Double> readBack = new ArrayList<>();
        for (MigrationRecord m : d.records()) {
            readBack.add(m.target(Target.TT));
        }
        readBack.sort(null);
        List<Double> measured = new ArrayList<>(expected.completedTotalTimeMs);
        measured.sort(null);
        assertEquals(measured, readBack);
        streams.close(Duration.ofSeconds(10));
    }

    /** Per-cell (predicted, actual) pairs and risk counts, from the topics and the executor's migration ids. */
    private static final class Expected {
        final Map<String, List<double[]>> errors = new TreeMap<>();
        final List<Double> completedTotalTimeMs = new ArrayList<>();
        long riskN;
        long riskPredicted;
        long riskHappened;
        long riskHits;
    }

    private static Expected byHand(
            List<MigrationOutcome> outcomes, List<MigrationRecommendation> recs, List<VmProfile> profiles) {
        Map<String, MigrationRecommendation> followed = new HashMap<>();
        for (MigrationRecommendation rec : recs) {
            for (MigrationAlgorithm a : MigrationAlgorithm.values()) {
                followed.put(
                        SimulatedExecutor.migrationId(
                                rec.getVmId(), rec.getProfileWindowEnd(), SimulatedExecutor.toModel(a)),
                        rec);
            }
        }
        Map<String, VmProfile> profileOf = new HashMap<>();
        for (VmProfile p : profiles) {
            profileOf.put(p.getVmId() + "@" + p.getWindowEnd().toEpochMilli(), p);
        }
        Expected x = new Expected();
        for (MigrationOutcome o : outcomes) {
            MigrationRecommendation rec = followed.get(o.getMigrationId());
            assertNotNull(rec, "the advice behind " + o.getMigrationId());
            MigrationRecommendation current = null;
            for (MigrationRecommendation r : recs) {
                if (r.getVmId().equals(o.getVmId())
                        && !r.getProfileWindowEnd().isAfter(o.getStartTime())
                        && !r.getCreatedAt().isAfter(o.getStartTime())
                        && (current == null || r.getProfileWindowEnd().isAfter(current.getProfileWindowEnd()))) {
                    current = r;
                }
            }
            assertEquals(
                    rec,
                    current,
                    "advice current at the start of " + o.getMigrationId() + " (start " + o.getStartTime() + ")");
            assertEquals(rec.getDestinationHostId(), o.getDestinationHostId());
            AlgorithmPrediction p = rec.getPredictions().stream()
                    .filter(ap -> ap.getAlgorithm() == o.getAlgorithm())
                    .findFirst()
                    .orElseThrow();
            String alg = SimulatedExecutor.toModel(o.getAlgorithm()).shortName();
            if (o.getStatus() == MigrationStatus.COMPLETED) {
                x.completedTotalTimeMs.add(o.getTotalTimeMs().doubleValue());
                add(x, alg + ".TT", p.getTotalTimeMs(), o.getTotalTimeMs());
                add(x, alg + ".DT", p.getDowntimeMs(), o.getDowntimeMs());
                add(x, alg + ".TD", p.getTransferredBytes(), o.getTransferredBytes());
                add(x, alg + ".PERF", p.getPerformanceDegradation(), o.getPerformanceDegradation());
                add(x, alg + ".CPU", p.getSourceCpuExtraPercent(), o.getSourceCpuExtraPercent());
                add(x, alg + ".MEM", p.getSourceMemExtraMb(), o.getSourceMemExtraMb());
            }
            boolean happened = o.getStatus() == MigrationStatus.NON_CONVERGED;
            if (o.getAlgorithm() == MigrationAlgorithm.PRECOPY
                    && (happened || o.getStatus() == MigrationStatus.COMPLETED)) {
                VmProfile profile = profileOf.get(
                        o.getVmId() + "@" + rec.getProfileWindowEnd().toEpochMilli());
                boolean predicted = RiskRules.precopyAtRisk(profile, o.getBandwidthMBps(), p.getTotalTimeMs());
                x.riskN++;
                x.riskPredicted += predicted ? 1 : 0;
                x.riskHappened += happened ? 1 : 0;
                x.riskHits += predicted && happened ? 1 : 0;
            }
        }
        return x;
    }

    private static void add(Expected x, String cell, double predicted, Number actual) {
        if (actual != null && actual.doubleValue() != 0 && Double.isFinite(predicted)) {
            x.errors.computeIfAbsent(cell, c -> new ArrayList<>()).add(new double[] {predicted, actual.doubleValue()});
        }
    }

    private static java.util.Set<String> withoutRisk(java.util.Set<String> cells) {
        java.util.Set<String> out = new java.util.TreeSet<>(cells);
        out.remove(Cells.PRECOPY_RISK_CELL);
        return out;
    }

    /** The latest figures per cell, once every cell has counted every outcome (or 60 s have passed). */
    private Map<String, PredictionEvaluation> awaitFigures(EmbeddedKafkaBroker broker, AdvisorSerdes serdes, Expected x)
            throws InterruptedException {
        Map<String, PredictionEvaluation> latest = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> c = consumer(broker)) {
            c.subscribe(List.of(Topics.PREDICTION_EVALUATIONS));
            try {
                // Polled on this thread only: KafkaConsumer is single-threaded.
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .pollInSameThread()
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> {
                            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                                latest.put(
                                        r.key(),
                                        serdes.evaluation().deserializer().deserialize(r.topic(), r.value()));
                            }
                            return complete(latest, x);
                        });
            } catch (ConditionTimeoutException e) {
                // the caller's assertions say what is missing
            }
        }
        return latest;
    }

    private static boolean complete(Map<String, PredictionEvaluation> latest, Expected x) {
        for (Map.Entry<String, List<double[]>> e : x.errors.entrySet()) {
            PredictionEvaluation f = latest.get(e.getKey());
            if (f == null || f.getSinceStartN() < e.getValue().size()) {
                return false;
            }
        }
        PredictionEvaluation risk = latest.get(Cells.PRECOPY_RISK_CELL);
        return x.riskN == 0 || risk != null && risk.getSinceStartN() >= x.riskN;
    }

    private KafkaStreams startAdvisor(
            EmbeddedKafkaBroker broker, AdvisorSerdes serdes, AdvisorMetrics metrics, int port) throws Exception {
        Properties p = new Properties();
        p.putAll(registryConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "evaluation-loop-it");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        ModelSource model = ModelSource.bundled(3);
        AdvisorApplication app = AdvisorApplication.builder()
                .properties(p)
                .settings(new AdvisorTopology.Settings(Duration.ofSeconds(20), Duration.ofSeconds(2), 50))
                .serdes(serdes)
                .engine(model)
                .metrics(metrics)
                .http(
                        new InetSocketAddress("127.0.0.1", port),
                        new HostInfo("127.0.0.1", port),
                        null,
                        () -> model.get().modelVersion())
                .build();
        open.add(app);
        return app.start().streams();
    }

    /** Backfills {@link #BACKFILL} of event time at {@link #SPEEDUP}×, then goes on live, for {@link #PRODUCE_FOR}. */
    private static void publishFleet(EmbeddedKafkaBroker broker, AdvisorSerdes serdes) throws InterruptedException {
        SimpleFleet fleet = new SimpleFleet(HOSTS, VMS, 11);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        long wallStart = System.currentTimeMillis();
        long eventStart = (wallStart - BACKFILL.toMillis()) / 20_000 * 20_000;
        long next = eventStart;
        try (KafkaProducer<String, VmSample> samples = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.vmSample().serializer());
                KafkaProducer<String, HostSample> hosts = new KafkaProducer<>(
                        pp, new StringSerializer(), serdes.hostSample().serializer())) {
            while (System.currentTimeMillis() - wallStart < PRODUCE_FOR.toMillis()) {
                long wall = System.currentTimeMillis();
                long eventNow = Math.min(eventStart + (wall - wallStart) * SPEEDUP, wall);
                for (; next <= eventNow; next += 1000) {
                    Instant at = Instant.ofEpochMilli(next);
                    for (HostSample h : fleet.hostSamples(at)) {
                        hosts.send(new ProducerRecord<>(Topics.HOST_SAMPLES, null, next, h.getHostId(), h));
                    }
                    for (VmSample s : fleet.vmSamples(at)) {
                        samples.send(new ProducerRecord<>(Topics.VM_SAMPLES, null, next, s.getVmId(), s));
                    }
                }
                Thread.sleep(50);
            }
        }
    }

    /** Every committed record of a topic as it is now. */
    private static <T> List<T> readAll(EmbeddedKafkaBroker broker, String topic, Deserializer<T> values) {
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = consumer(broker)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(values.deserialize(topic, r.value()));
                }
            }
        }
        return out;
    }

    private static KafkaConsumer<String, byte[]> consumer(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "evaluation-loop-it-" + System.nanoTime());
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
