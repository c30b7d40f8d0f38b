package io.lmadvisor.cli;

import io.lmadvisor.agent.simulate.SimpleFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.executor.ExecutorSettings;
import io.lmadvisor.executor.MigrationExecutorRunner;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.calibration.CalibrationService;
import io.lmadvisor.streams.calibration.CalibrationSettings;
import io.lmadvisor.streams.deadletter.DeadLetterHandler;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole pipeline in one process: a real embedded broker, the in-process registry, a simulated
 * fleet publishing Avro samples, the Kafka Streams app, and a subscriber printing what comes out.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the pipeline on an embedded Kafka broker with a simulated fleet.")
final class DemoCommand implements Callable<Integer>, CliErrors.FreePortFallback {
    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Stop by itself after this long, e.g. 30s or 2m (default: run until Ctrl-C).")
    Duration duration;

    @Option(
            names = "--json",
            description = "Print one JSON object per output record on stdout, as a subscriber sees it.")
    boolean json;

    @Option(
            names = "--vms",
            defaultValue = "12",
            description = "VMs in the simulated fleet (default: ${DEFAULT-VALUE}).")
    int vms;

    @Option(
            names = "--hosts",
            defaultValue = "6",
            description = "Hosts in the simulated fleet (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of the simulated fleet (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--backfill",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description =
                    "Event time the fleet replays quickly before going live, so profiles appear at once (default: ${DEFAULT-VALUE}).")
    Duration backfill;

    @Option(
            names = "--speedup",
            defaultValue = "10",
            description = "Event seconds per wall second while backfilling (default: ${DEFAULT-VALUE}).")
    int speedup;

    @Option(
            names = "--window",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Profile window (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(
            names = "--grace",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Grace for late samples (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--model", description = "Model file, reloaded when it changes (default: the bundled model).")
    Path modelFile;

    @Option(
            names = "--top-k",
            defaultValue = "3",
            description = "Destinations scored per VM (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--execute-fraction",
            defaultValue = "0.3",
            description = "Share of recommendations the simulated executor carries out (default: ${DEFAULT-VALUE}).")
    double executeFraction;

    @Option(
            names = "--calibrate",
            description = "Run continuous calibration (lm.calibration.enabled): a challenger "
                    + "calibrated on the executed migrations' training rows, decisions printed from lm.model-events.")
    boolean calibrate;

    @Option(
            names = "--calibrate-every",
            defaultValue = "10",
            description = "With --calibrate: new training rows between two challengers (default: ${DEFAULT-VALUE}).")
    int calibrateEvery;

    @Option(
            names = "--http-port",
            defaultValue = "8080",
            description = "Port of the advisor's HTTP API and live dashboard on 127.0.0.1; 0 picks a free one (default:"
                    + " ${DEFAULT-VALUE}, or a free one when that is taken).")
    int httpPort;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--http-token",
            description = "Bearer token for the API; the dashboard asks for it once (default: none, open on loopback).")
    String httpToken;

    private MigrationExecutorRunner executor;
    private final AtomicLong samplesSent = new AtomicLong();
    private final AtomicLong recommendationsReceived = new AtomicLong();
    private final AtomicLong riskEventsReceived = new AtomicLong();
    private final java.util.Set<String> vmsRecommended = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AdvisorMetrics metrics = new AdvisorMetrics();
    private CalibrationService calibration;
    private volatile org.apache.kafka.common.serialization.Deserializer<ModelEvent> modelEvents;

    private static boolean portFree(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (vms < 1 || hosts < 2) {
            System.err.println("lm-advisor demo: need --vms >= 1 and --hosts >= 2 (a migration needs a destination)");
            return 2;
        }
        Instant started = Instant.now();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    stop.countDown();
                    try {
                        // SIGTERM or Ctrl-C: stop within 10 s, summary included.
                        finished.await(9, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        String registryScope = "demo-" + UUID.randomUUID();
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://" + registryScope);
        AdvisorApplication app = null;
        ModelSource models = ModelSource.fileOrBundled(modelFile, topK, Duration.ofSeconds(5));
        status("model " + models.get().modelVersion()
                + (modelFile == null ? " (bundled default)" : " from " + modelFile));
        status("starting an embedded Kafka broker (KRaft)...");
        try (models;
                EmbeddedKafkaBroker broker =
                        EmbeddedKafkaBroker.builder().partitions(3).build().start()) {
            String bootstrap = broker.bootstrapServers();
            TopicAdmin.createAll(bootstrap, 3);
            status("broker on " + bootstrap + ", " + Topics.all().size() + " topics created, registry mock://"
                    + registryScope);

            SchemaRegistry registry = SchemaRegistries.fromConfig(serdeConfig);
            AdvisorSerdes serdes = AdvisorSerdes.create(registry, java.time.Clock.systemUTC());
            Serde<VmSample> sampleSerde = serdes.vmSample();
            Serde<HostSample> hostSerde = serdes.hostSample();

            if (!spec.commandLine().getParseResult().hasMatchedOption("--http-port") && !portFree(httpPort)) {
                // A newcomer's demo must start; an asked-for port that is taken stays an error.
                status("port " + httpPort + " is in use; the dashboard takes a free port (--http-port to choose)");
                httpPort = 0;
            }
            app = AdvisorApplication.builder()
                    .properties(streamsProps("lm-advisor-demo", bootstrap, serdeConfig))
                    .settings(new AdvisorTopology.Settings(window, grace, 3))
                    .serdes(serdes)
                    .engine(models)
                    .metrics(metrics)
                    .http(
                            new java.net.InetSocketAddress("127.0.0.1", httpPort),
                            new org.apache.kafka.streams.state.HostInfo("127.0.0.1", httpPort),
                            httpToken,
                            () -> models.get().modelVersion())
                    .status(this::status, Duration.ofMinutes(1), false)
                    .temporaryState()
                    .build()
                    .start();
            status("dashboard: http://127.0.0.1:" + app.httpPort() + "/"
                    + (httpToken == null ? "" : " (sign in with --http-token)")
                    + "; API on the same port (/vms/{id}, /hosts, /evaluation, /metrics)");
            KafkaStreams streams = app.streams();
            status("streams app started: " + Topics.VM_SAMPLES + " -> " + window.toSeconds() + " s profiles -> "
                    + Topics.MIGRATION_RECOMMENDATIONS + " + " + Topics.SLA_RISK_EVENTS);

            Map<String, Object> clientConfig = new java.util.HashMap<>(serdeConfig);
            clientConfig.put("bootstrap.servers", bootstrap);
            executor = new MigrationExecutorRunner(
                    clientConfig,
                    ExecutorSettings.defaults()
                            .withExecuteFraction(executeFraction)
                            .withSeed(seed));
            executor.start();
            status("simulated executor carries out " + Math.round(executeFraction * 100) + "% of recommendations -> "
                    + Topics.MIGRATION_OUTCOMES);

            if (calibrate) {
                calibration = new CalibrationService(
                                clientConfig,
                                Topics.TRAINING_ROWS,
                                Topics.MODEL_EVENTS,
                                models,
                                models.artifact(),
                                CalibrationSettings.DEFAULTS.withEnabled(true).withEveryRows(calibrateEvery),
                                CalibrationService.defaultTrainer(),
                                AvroSerdes.of(ModelEvent.class, registry, false).serializer(),
                                this::status)
                        .start();
                status("continuous calibration on: a challenger every " + calibrateEvery + " rows of "
                        + Topics.TRAINING_ROWS + ", decisions on " + Topics.MODEL_EVENTS);
            }
            modelEvents = AvroSerdes.of(ModelEvent.class, registry, false).deserializer();

            Thread producer = new Thread(() -> produce(bootstrap, sampleSerde, hostSerde, stop), "demo-fleet");
            Thread consumer = new Thread(() -> consume(bootstrap, serdes, stop), "demo-subscriber");
            producer.start();
            consumer.start();
            status("fleet of " + vms + " VMs on " + hosts + " hosts publishing; "
                    + (duration == null ? "Ctrl-C stops" : "stopping after " + duration.toSeconds() + " s"));

            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!stop.await(200, TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                if (now >= nextReport) {
                    status(progressLine(streams));
                    nextReport = now + TimeUnit.SECONDS.toNanos(5);
                }
            }
            stop.countDown();
            producer.join(2_000);
            consumer.join(2_000);
            status("stopping: " + progressLine(streams));
            executor.close();
            if (calibration != null) {
                calibration.close();
            }
            app.close();
            boolean failed = app.failed();
            status(String.format(
                    "done in %d s: %d samples published, %d profiles, %d recommendations for %d of %d VMs, %d risk events, %d migrations executed, %d dead letters",
                    Duration.between(started, Instant.now()).toSeconds(),
                    samplesSent.get(),
                    metrics.profiles.sum(),
                    recommendationsReceived.get(),
                    vmsRecommended.size(),
                    vms,
                    riskEventsReceived.get(),
                    executor.stats().executed(),
                    DeadLetterHandler.deadLetterCount()));
            DemoEvaluationSummary summary = new DemoEvaluationSummary(metrics);
            summary.lines().forEach(this::status);
            if (json) {
                System.out.println(summary.json(
                        Duration.between(started, Instant.now()).toSeconds(),
                        samplesSent.get(),
                        recommendationsReceived.get(),
                        riskEventsReceived.get(),
                        executor.stats().executed()));
            }
            return failed ? 1 : 0;
        } finally {
            if (calibration != null) {
                calibration.close();
            }
            if (executor != null) {
                executor.close();
            }
            if (app != null) {
                app.close();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running and waits for `finished`
            }
        }
    }

    private String progressLine(KafkaStreams streams) {
        return String.format(
                "samples published %d, profiles %d, recommendations %d, risk events %d, migrations executed %d, outcomes evaluated %d, late samples %d, streams %s",
                samplesSent.get(),
                metrics.profiles.sum(),
                recommendationsReceived.get(),
                riskEventsReceived.get(),
                executor == null ? 0 : executor.stats().executed(),
                metrics.outcomes.sum() - metrics.outcomesUnmatched.sum(),
                metrics.lateSamples.sum(),
                streams.state());
    }

    /** One-JVM advisor settings (demo, lab run): one stream thread, commits every 500 ms. */
    static Properties streamsProps(String applicationId, String bootstrap, Map<String, Object> serdeConfig) {
        Properties p = new Properties();
        p.putAll(serdeConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        return p;
    }

    /** Publishes one sample per VM and host per event second; fast while backfilling, then live. */
    private void produce(
            String bootstrap, Serde<VmSample> sampleSerde, Serde<HostSample> hostSerde, CountDownLatch stop) {
        SimpleFleet fleet = new SimpleFleet(hosts, vms, seed);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        long wallStartMs = System.currentTimeMillis();
        long eventStartMs = (wallStartMs - backfill.toMillis()) / 1000 * 1000;
        long nextEventMs = eventStartMs;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (stop.getCount() > 0) {
                long wallNow = System.currentTimeMillis();
                long eventNow = Math.min(eventStartMs + (wallNow - wallStartMs) * speedup, wallNow);
                while (nextEventMs <= eventNow) {
                    Instant at = Instant.ofEpochMilli(nextEventMs);
                    for (HostSample h : fleet.hostSamples(at)) {
                        producer.send(new ProducerRecord<>(
                                Topics.HOST_SAMPLES,
                                null,
                                nextEventMs,
                                bytes(h.getHostId()),
                                hostSerde.serializer().serialize(Topics.HOST_SAMPLES, h)));
                    }
                    for (VmSample s : fleet.vmSamples(at)) {
                        producer.send(new ProducerRecord<>(
                                Topics.VM_SAMPLES,
                                null,
                                nextEventMs,
                                bytes(s.getVmId()),
                                sampleSerde.serializer().serialize(Topics.VM_SAMPLES, s)));
                        samplesSent.incrementAndGet();
                    }
                    nextEventMs += 1000;
                }
                stop.await(100, TimeUnit.MILLISECONDS);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println("lm-advisor demo: fleet publisher failed: " + e);
            stop.countDown();
        }
    }

    private void consume(String bootstrap, AdvisorSerdes serdes, CountDownLatch stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "lm-advisor-demo-subscriber");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            // Evaluations only as JSON: in text mode the final summary shows them once.
            consumer.subscribe(
                    json
                            ? List.of(
                                    Topics.MIGRATION_RECOMMENDATIONS,
                                    Topics.SLA_RISK_EVENTS,
                                    Topics.PREDICTION_EVALUATIONS,
                                    Topics.MODEL_EVENTS)
                            : List.of(Topics.MIGRATION_RECOMMENDATIONS, Topics.SLA_RISK_EVENTS, Topics.MODEL_EVENTS));
            while (stop.getCount() > 0) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    SpecificRecord value;
                    String line;
                    if (r.topic().equals(Topics.MIGRATION_RECOMMENDATIONS)) {
                        MigrationRecommendation rec =
                                serdes.recommendation().deserializer().deserialize(r.topic(), r.value());
                        recommendationsReceived.incrementAndGet();
                        vmsRecommended.add(rec.getVmId());
                        value = rec;
                        line = "recommend " + rec.getVmId() + " (" + rec.getSourceHostId() + "): " + rec.getReason();
                    } else if (r.topic().equals(Topics.MODEL_EVENTS)) {
                        ModelEvent e = modelEvents.deserialize(r.topic(), r.value());
                        value = e;
                        line = "model event " + e.getDecision() + " " + e.getChallengerVersion() + " (champion "
                                + e.getChampionVersion() + ", " + e.getTrainingRows() + " fleet rows): "
                                + e.getReason();
                    } else if (r.topic().equals(Topics.PREDICTION_EVALUATIONS)) {
                        value = serdes.evaluation().deserializer().deserialize(r.topic(), r.value());
                        line = "evaluation " + r.key();
                    } else {
                        SlaRiskEvent e = serdes.riskEvent().deserializer().deserialize(r.topic(), r.value());
                        riskEventsReceived.incrementAndGet();
                        value = e;
                        line = "risk " + e.getTransition() + " " + e.getRiskType() + " " + e.getVmId() + " ["
                                + e.getSeverity() + "]: " + e.getMessage();
                    }
                    System.out.println(
                            json
                                    ? AvroJson.envelope(
                                            r.topic(),
                                            r.key(),
                                            r.partition(),
                                            r.offset(),
                                            (org.apache.avro.generic.IndexedRecord) value)
                                    : line);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("lm-advisor demo: subscriber failed: " + e);
            stop.countDown();
        }
    }

    private void status(String message) {
        System.err.println("lm-advisor demo: " + message);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
