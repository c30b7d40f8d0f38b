package io.lmadvisor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.agent.AgentRunner;
import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.procfs.ProcfsSource;
import io.lmadvisor.agent.publish.SampleOutput;
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
import io.lmadvisor.executor.qmp.InventoryEntry;
import io.lmadvisor.executor.qmp.QmpExecutorSettings;
import io.lmadvisor.executor.qmp.QmpMigrationExecutor;
import io.lmadvisor.lab.HostLoad;
import io.lmadvisor.lab.LabAssets;
import io.lmadvisor.lab.LabException;
import io.lmadvisor.lab.LabGuest;
import io.lmadvisor.lab.LabMatrix;
import io.lmadvisor.lab.Workload;
import io.lmadvisor.lab.WorkloadOutput;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.features.Pages;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.evaluation.Figures;
import io.lmadvisor.streams.evaluation.TrainingRows;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code lab run}: real migrations of each matrix workload with the whole product in one JVM. Per
 * workload: a source guest is profiled by the production agent (procfs source) for a full window,
 * the samples go through the advisor's topology on an embedded broker, which recommends; then the
 * QMP executor migrates a fresh boot of the workload with every requested algorithm (the recommended
 * one first), and the destination's workload verifies its memory. Every run becomes a csap512 row and
 * a side record ({@link LabRunStore}), and its outcome goes to {@code lm.migration-outcomes}, where the
 * topology's online evaluation scores the recommendation's predictions.
 *
 * <p>One profile per workload, not one per boot: a fresh boot of the same workload (same seed and
 * parameters) behaves the same, the advisor recommends once per VM, and the five rows are then judged
 * against the same predictions; re-profiling would add a 25–45 s window to each of the five runs.
 */
final class LabRun implements AutoCloseable {
    static final String SOURCE_HOST = "lab-src";
    static final String DESTINATION_HOST = "lab-dst";
    /** Rate lines of the source before the migration: the PERF baseline. */
    static final int BASELINE_SECONDS = 3;

    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(
            LabAssets assets,
            String qemu,
            LabMatrix matrix,
            List<String> workloads,
            List<Algorithm> algorithms,
            Path modelFile,
            Path out,
            LabGuest.Accel accel,
            double maxLoad1,
            Duration quietWait,
            Duration profileTimeout,
            Duration window,
            Duration grace) {}

    /** What one run produced, for progress lines and tests. */
    record RunResult(
            String workload,
            Algorithm algorithm,
            MigrationOutcome outcome,
            Boolean integrityOk,
            String advisorChoice) {}

    private final Options options;
    private final Consumer<String> progress;
    private final LabRunStore store;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, VmProfile> profiles = new ConcurrentHashMap<>();
    private final Map<String, List<MigrationRecommendation>> recommendations = new ConcurrentHashMap<>();
    final List<PredictionEvaluation> evaluations = new CopyOnWriteArrayList<>();
    final List<RunResult> results = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean batchRecorded = new AtomicBoolean();
    private final AdvisorMetrics metrics = new AdvisorMetrics();
    private AdvisorSerdes serdes;
    private KafkaProducer<String, byte[]> producer;
    private QmpMigrationExecutor executor;
    private Thread reader;
    private String qemuVersion;
    private final Instant started = Instant.now();

    LabRun(Options options, Consumer<String> progress) throws IOException {
        this.options = options;
        this.progress = progress;
        this.store = LabRunStore.open(options.out());
    }

    LabRunStore store() {
        return store;
    }

    AdvisorMetrics metrics() {
        return metrics;
    }

    /** The workloads and algorithms still to run (already recorded ones are skipped). */
    List<Map.Entry<Workload, Algorithm>> plan() {
        List<Workload> ws = options.workloads() == null || options.workloads().isEmpty()
                ? options.matrix().workloads()
                : options.workloads().stream().map(options.matrix()::workload).toList();
        List<Map.Entry<Workload, Algorithm>> out = new ArrayList<>();
        for (Workload w : ws) {
            for (Algorithm a : options.algorithms()) {
                if (!store.done(w.name(), a)) {
                    out.add(Map.entry(w, a));
                }
            }
        }
        return out;
    }

    /** Runs every planned migration; returns how many were recorded. */
    int run() throws Exception {
        List<Map.Entry<Workload, Algorithm>> plan = plan();
        if (plan.isEmpty()) {
            progress.accept("lab run: nothing to do: every requested run is already in "
                    + store.layout().rows());
            return 0;
        }
        progress.accept("lab run: " + plan.size() + " runs to do, results in "
                + store.layout().rows());
        start();
        Map<Workload, List<Algorithm>> byWorkload = new LinkedHashMap<>();
        plan.forEach(e ->
                byWorkload.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        int[] index = {0};
        try {
            for (Map.Entry<Workload, List<Algorithm>> e : byWorkload.entrySet()) {
                runWorkload(e.getKey(), e.getValue(), index, plan.size());
            }
        } finally {
            recordBatch();
        }
        return results.size();
    }

    /** This session's manifest entry and the summary; once (also from a shutdown hook on Ctrl-C). */
    void recordBatch() throws IOException {
        if (!batchRecorded.compareAndSet(false, true)) {
            return;
        }
        ObjectNode batch = JSON.createObjectNode();
        batch.put("started", started.toString())
                .put("ended", Instant.now().toString())
                .put("host", ProcfsSource.defaultHostId(Path.of("/proc")))
                .put("hostCores", Runtime.getRuntime().availableProcessors())
                .put("qemuVersion", qemuVersion)
                .put("accel", options.accel().name().toLowerCase(Locale.ROOT))
                .put("matrix", options.matrix().source())
                .put("gitCommit", gitCommit())
                .put("model", modelName(options.modelFile()))
                .put("count", results.size());
        store.recordBatch(batch);
        store.writeSummary();
    }

    /** The model `lab run` serves unless --model names another: the bundled prior calibrated on the lab dataset. */
    static final String LAB_MODEL_RESOURCE = "models/lab-qemu10-tcg.lmm";
    /** {@code --model bundled}: the bundled prior itself. */
    static final String BUNDLED = "bundled";

    static ModelSource modelSource(Path modelFile) throws java.io.IOException {
        if (modelFile != null && !BUNDLED.equals(modelFile.toString())) {
            return ModelSource.fileOrBundled(modelFile, 3, Duration.ofSeconds(30));
        }
        if (modelFile == null && LabRun.class.getClassLoader().getResource(LAB_MODEL_RESOURCE) != null) {
            return ModelSource.fixed(io.lmadvisor.model.artifact.ModelArtifact.loadResource(LAB_MODEL_RESOURCE), 3);
        }
        return ModelSource.bundled(3);
    }

    static String modelName(Path modelFile) {
        if (modelFile != null) {
            return modelFile.toString();
        }
        return LabRun.class.getClassLoader().getResource(LAB_MODEL_RESOURCE) != null ? "lab-qemu10-tcg" : BUNDLED;
    }

    /** Broker, topics, the advisor, a reader of its outputs, the outcome producer and the executor. */
    void start() throws Exception {
        ModelSource models = modelSource(options.modelFile());
        open.add(models);
        progress.accept("lab run: model " + models.get().modelVersion() + "; starting an embedded Kafka broker");
        EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().partitions(1).build().start();
        open.add(0, broker);
        String bootstrap = broker.bootstrapServers();
        TopicAdmin.createAll(bootstrap, 1);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://lab-run-" + UUID.randomUUID());
        serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(serdeConfig), Clock.systemUTC());
        AdvisorApplication app = AdvisorApplication.builder()
                .properties(DemoCommand.streamsProps("lm-advisor-lab-run", bootstrap, serdeConfig))
                .settings(new AdvisorTopology.Settings(options.window(), options.grace(), 3))
                .serdes(serdes)
                .engine(models)
                .metrics(metrics)
                .temporaryState()
                .build()
                .start();
        open.add(0, app);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
        open.add(0, () -> producer.close(Duration.ofSeconds(5)));
        reader = new Thread(() -> read(bootstrap), "lab-run-reader");
        reader.setDaemon(true);
        reader.start();
        executor = new QmpMigrationExecutor(QmpExecutorSettings.defaults().withMaxConcurrent(1));
        progress.accept("lab run: broker on " + bootstrap + ", advisor started ("
                + options.window().toSeconds()
                + " s windows, grace " + options.grace().toSeconds() + " s), accel "
                + options.accel().name().toLowerCase(Locale.ROOT));
    }

    /** Reads what the advisor commits: profiles, recommendations, evaluations. */
    private void read(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "lab-run-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.VM_PROFILES, Topics.MIGRATION_RECOMMENDATIONS, Topics.PREDICTION_EVALUATIONS));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        switch (r.topic()) {
                            case Topics.VM_PROFILES -> {
                                VmProfile v = serdes.vmProfile().deserializer().deserialize(r.topic(), r.value());
                                profiles.put(
                                        v.getVmId() + "@" + v.getWindowEnd().toEpochMilli(), v);
                            }
                            case Topics.MIGRATION_RECOMMENDATIONS -> {
                                MigrationRecommendation m =
                                        serdes.recommendation().deserializer().deserialize(r.topic(), r.value());
                                recommendations
                                        .computeIfAbsent(m.getVmId(), k -> new CopyOnWriteArrayList<>())
                                        .add(m);
                            }
                            default ->
                                evaluations.add(
                                        serdes.evaluation().deserializer().deserialize(r.topic(), r.value()));
                        }
                    } catch (RuntimeException e) {
                        progress.accept("lab run: unreadable record on " + r.topic() + ": " + e.getMessage());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path workDir() {
        return store.layout().work();
    }

    private static String vmId(Workload w) {
        return "lab-" + w.name();
    }

    /** Link of the lab's two hosts, MB/s: the workload's bandwidth (the matrix gives MiB/s). */
    private static double linkMBps(Workload w) {
        return w.bandwidthMiBps() * (double) Units.BYTES_PER_MIB / Units.BYTES_PER_MB;
    }

    /**
     * One workload: profile, then every algorithm. A guest that does not boot or a migration QEMU
     * refuses is reported and skipped (not recorded, so the next session tries it again); the rest go on.
     */
    private void runWorkload(Workload w, List<Algorithm> todo, int[] index, int total) throws InterruptedException {
        Profiled prof;
        try {
            LabGuest.reapStaleIn(workDir());
            prof = profile(w);
        } catch (LabException | IOException e) {
            index[0] += todo.size();
            progress.accept("lab run: " + w.name() + ": skipped, no profile: " + e.getMessage());
            return;
        }
        String choice =
                prof.rec.getAlgorithm() == null ? null : prof.rec.getAlgorithm().name();
        progress.accept(String.format(
                Locale.ROOT,
                "lab run: %s: profile %s (PDR %.0f pages/s, WSS %.0f MiB, size %.0f MiB);"
                        + " advisor recommends %s (%s)",
                w.name(),
                prof.profile.getWindowEnd(),
                prof.profile.getPdrPagesPerSec(),
                Pages.toMb(prof.profile.getWssPages()),
                prof.profile.getVmSizeMb(),
                choice == null ? "no migration" : choice,
                prof.rec.getReason()));
        List<Algorithm> order = new ArrayList<>(todo);
        if (choice != null) {
            Algorithm chosen = Algorithm.valueOf(choice);
            if (order.remove(chosen)) {
                order.add(0, chosen);
            }
        }
        long seed = store.seedOf(w.name());
        for (Algorithm a : order) {
            index[0]++;
            try {
                RunResult r = migrate(w, a, prof, seed, choice);
                results.add(r);
                progress.accept(line(index[0], total, r));
            } catch (LabException
                    | IOException
                    | QmpMigrationExecutor.Refused
                    | java.util.concurrent.ExecutionException e) {
                progress.accept(String.format(
                        Locale.ROOT,
                        "[%d/%d] %s %s: not run (%s); a later session retries it",
                        index[0],
                        total,
                        w.name(),
                        a.name(),
                        e.getMessage()));
            }
        }
    }

    private record Profiled(VmProfile profile, MigrationRecommendation rec, HostSample destination) {}

    /** Boots the workload, lets the agent sample it until the advisor recommends on a full window. */
    private Profiled profile(Workload w) throws IOException, InterruptedException {
        String vm = vmId(w);
        double linkMBps = linkMBps(w);
        awaitQuiet(w);
        try (LabGuest src = guest("src", w, LabGuest.Role.SOURCE)) {
            src.start();
            src.awaitReady(BOOT);
            AtomicLong firstSampleMs = new AtomicLong(-1);
            AtomicReference<HostSample> dst = new AtomicReference<>();
            ProcfsSource source = ProcfsSource.builder()
                    .pids(List.of((int) src.pid()))
                    .hostId(SOURCE_HOST)
                    .defaultLinkSpeedMBps(linkMBps)
                    .build();
            AgentRunner agent = new AgentRunner(
                    source,
                    new LabOutput(vm, linkMBps, firstSampleMs, dst),
                    new AgentCounters(),
                    new AgentRunner.Settings(1000, null, Duration.ofHours(1)),
                    s -> {});
            Thread t = new Thread(
                    () -> {
                        try {
                            agent.run();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "lab-run-agent");
            t.setDaemon(true);
            t.start();
            progress.accept("lab run: " + w.name() + ": agent (procfs) sampling " + vm + " (pid " + src.pid()
                    + ") until the advisor recommends on a full "
                    + options.window().toSeconds() + " s window");
            try {
                MigrationRecommendation rec = await(
                        () -> {
                            long first = firstSampleMs.get();
                            if (first < 0) {
                                return null;
                            }
                            for (MigrationRecommendation m : recommendations.getOrDefault(vm, List.of())) {
                                if (m.getProfileWindowEnd().toEpochMilli()
                                                - options.window().toMillis()
                                        >= first) {
                                    return m;
                                }
                            }
                            return null;
                        },
                        options.profileTimeout(),
                        "a recommendation for " + vm + " (is the agent sampling? see --verbose)");
                VmProfile profile = await(
                        () -> profiles.get(vm + "@" + rec.getProfileWindowEnd().toEpochMilli()),
                        Duration.ofSeconds(30),
                        "the profile of " + vm);
                return new Profiled(profile, rec, dst.get());
            } finally {
                agent.stop();
                t.join(5_000);
                source.close();
            }
        }
    }

    private RunResult migrate(Workload w, Algorithm a, Profiled prof, long seed, String choice)
            throws IOException, InterruptedException, java.util.concurrent.ExecutionException {
        double load = awaitQuiet(w);
        MigrationRecommendation rec = recommendationFor(a, prof, w);
        try (LabGuest src = guest("src", w, LabGuest.Role.SOURCE);
                LabGuest dst = guest("dst", w, LabGuest.Role.DESTINATION)) {
            src.start();
            src.awaitReady(BOOT);
            int ready = src.rates().size();
            List<WorkloadOutput.Rate> base = src.awaitRates(ready + BASELINE_SECONDS, Duration.ofMinutes(1));
            base = base.subList(ready, base.size());
            dst.start();
            InventoryEntry entry = new InventoryEntry(
                    vmId(w),
                    src.executorQmpSocket(),
                    dst.executorQmpSocket(),
                    dst.incomingUri(),
                    dst.incomingUri(),
                    linkMBps(w),
                    rec.getDestinationHostId());
            int startRates = src.rates().size();
            MigrationOutcome o = executor.execute(rec, entry);
            if (JvmShutdown.inProgress()) {
                // Ctrl-C/SIGTERM: the guests are being stopped under the migration; its outcome is not data.
                throw new LabException("stopped by a shutdown while migrating; not recorded");
            }
            List<WorkloadOutput.Rate> during = new ArrayList<>();
            List<WorkloadOutput.Rate> all = src.rates();
            during.addAll(all.subList(Math.min(startRates, all.size()), all.size()));
            // After a post-copy switch (or completion) the guest runs on the destination.
            during.addAll(dst.rates());
            Boolean integrity = null;
            if (o.getStatus() == MigrationStatus.COMPLETED) {
                integrity = dst.verify(Duration.ofMinutes(2)).ok();
            }
            double perf = perf(base, during);
            MigrationOutcome.Builder b = MigrationOutcome.newBuilder(o);
            if (!Double.isNaN(perf)) {
                b.setPerformanceDegradation(perf);
            }
            MigrationOutcome outcome = b.build();
            if (outcome.getQemuVersion() != null) {
                qemuVersion = outcome.getQemuVersion();
            }
            producer.send(new ProducerRecord<>(
                            Topics.MIGRATION_OUTCOMES,
                            null,
                            outcome.getStartTime().toEpochMilli(),
                            outcome.getVmId(),
                            serdes.outcome().serializer().serialize(Topics.MIGRATION_OUTCOMES, outcome)))
                    .get();
            record(w, a, prof, seed, choice, outcome, integrity, load, base, during);
            return new RunResult(w.name(), a, outcome, integrity, choice);
        }
    }

    private void record(
            Workload w,
            Algorithm a,
            Profiled prof,
            long seed,
            String choice,
            MigrationOutcome o,
            Boolean integrity,
            double load,
            List<WorkloadOutput.Rate> base,
            List<WorkloadOutput.Rate> during)
            throws IOException {
        HostState dstState = prof.destination() != null
                ? HostState.of(prof.destination())
                : HostState.unknown(DESTINATION_HOST, o.getBandwidthMBps());
        MigrationRecord full = TrainingRows.record(o, a, prof.profile(), dstState);
        // Only a completed migration has figures a learner may use; the side record keeps the status.
        double[] targets = o.getStatus() == MigrationStatus.COMPLETED ? full.targets() : LabRunStore.nanTargets();
        long sequence = store.nextSequence(seed);
        MigrationRecord row = new MigrationRecord(seed + ":" + sequence, 0, a, null, full.raw(), targets);
        double[] predicted = prof.rec().getPredictions().stream()
                .filter(p -> p.getAlgorithm().name().equals(a.name()))
                .findFirst()
                .map(Figures::predicted)
                .orElseGet(LabRunStore::nanTargets);
        store.append(
                row,
                new LabRunStore.Meta(
                        seed,
                        sequence,
                        w.name(),
                        a,
                        o.getStatus().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        integrity,
                        choice,
                        o.getVmId(),
                        o.getStartTime().toString(),
                        o.getQemuVersion(),
                        options.accel().name().toLowerCase(Locale.ROOT),
                        Runtime.getRuntime().availableProcessors(),
                        load,
                        WorkloadOutput.meanPagesPerSec(base),
                        WorkloadOutput.meanPagesPerSec(during),
                        predicted,
                        prof.rec().getModelVersion(),
                        o.getFailureReason()));
    }

    /**
     * The recommendation the executor carries out for {@code a}: the advisor's own when it chose
     * {@code a}; otherwise the same advice with {@code a}'s settings, built as the topology builds them
     * (same bandwidth, downtime limit and profile).
     */
    static MigrationRecommendation recommendationFor(Algorithm a, Profiled prof, Workload w) {
        MigrationRecommendation rec = prof.rec();
        MigrationAlgorithm avro = MigrationAlgorithm.valueOf(a.name());
        if (rec.getAlgorithm() == avro && rec.getSettings() != null) {
            return rec;
        }
        double bw = rec.getBandwidthMBps() > 0 ? rec.getBandwidthMBps() : linkMBps(w);
        long downtimeMs = w.downtimeLimitMs();
        if (rec.getSettings() != null && rec.getSettings().getQemuParameters().containsKey("downtime-limit")) {
            downtimeMs = Long.parseLong(
                    rec.getSettings().getQemuParameters().get("downtime-limit").trim());
        }
        double predictedTotalMs = rec.getPredictions().stream()
                .filter(p -> p.getAlgorithm() == avro)
                .mapToDouble(AlgorithmPrediction::getTotalTimeMs)
                .findFirst()
                .orElse(Double.NaN);
        VmProfile p = prof.profile();
        return MigrationRecommendation.newBuilder(rec)
                .setAlgorithm(avro)
                .setBandwidthMBps(bw)
                .setDestinationHostId(
                        rec.getDestinationHostId() != null ? rec.getDestinationHostId() : DESTINATION_HOST)
                .setSettings(MigrationSettingsFactory.settingsFor(
                        a, bw, downtimeMs, p.getVmSizeMb(), Pages.toMb(p.getWssPages()), predictedTotalMs))
                .build();
    }

    /**
     * Relative slowdown of the workload during the migration, 0..1: its own dirtied pages per second
     * (or CPU work units for a workload that dirties none) during against before. NaN for an idle one.
     */
    static double perf(List<WorkloadOutput.Rate> before, List<WorkloadOutput.Rate> during) {
        if (during.isEmpty()) {
            return Double.NaN;
        }
        double b = WorkloadOutput.meanPagesPerSec(before);
        double d = WorkloadOutput.meanPagesPerSec(during);
        if (!(b > 0)) {
            b = WorkloadOutput.meanOpsPerSec(before);
            d = WorkloadOutput.meanOpsPerSec(during);
        }
        if (!(b > 0)) {
            return Double.NaN;
        }
        return Math.max(0, Math.min(1, 1 - d / b));
    }

    static String line(int i, int total, RunResult r) {
        MigrationOutcome o = r.outcome();
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "[%d/%d] %s %s: %s",
                i,
                total,
                r.workload(),
                r.algorithm().name(),
                o.getStatus().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        if (o.getTotalTimeMs() != null) {
            sb.append(String.format(Locale.ROOT, " TT %.1f s", o.getTotalTimeMs() / 1000.0));
        }
        if (o.getDowntimeMs() != null) {
            sb.append(" DT ").append(o.getDowntimeMs()).append(" ms");
        }
        if (o.getTransferredBytes() != null) {
            sb.append(
                    String.format(Locale.ROOT, " TD %.1f MiB", o.getTransferredBytes() / (double) Units.BYTES_PER_MIB));
        }
        if (o.getPerformanceDegradation() != null) {
            sb.append(String.format(Locale.ROOT, " PERF %.2f", o.getPerformanceDegradation()));
        }
        if (o.getSourceCpuExtraPercent() != null) {
            sb.append(String.format(Locale.ROOT, " CPU +%.0f%%", o.getSourceCpuExtraPercent()));
        }
        if (o.getSourceMemExtraMb() != null) {
            sb.append(String.format(Locale.ROOT, " MEM +%.0f MiB", o.getSourceMemExtraMb()));
        }
        sb.append(r.integrityOk() == null ? "" : r.integrityOk() ? "; integrity OK" : "; INTEGRITY FAILED");
        sb.append("; advisor: ").append(r.advisorChoice() == null ? "none" : r.advisorChoice());
        if (o.getFailureReason() != null) {
            sb.append("; ").append(o.getFailureReason());
        }
        return sb.toString();
    }

    private LabGuest guest(String name, Workload w, LabGuest.Role role) {
        return LabGuest.builder(name, options.assets(), workDir(), w)
                .role(role)
                .accel(options.accel())
                .qemuBinary(options.qemu())
                .build();
    }

    private double awaitQuiet(Workload w) throws InterruptedException {
        return HostLoad.awaitQuiet(
                options.maxLoad1(),
                options.quietWait(),
                Duration.ofSeconds(10),
                HostLoad::load1,
                d -> Thread.sleep(d.toMillis()),
                s -> progress.accept("lab run: " + w.name() + ": " + s));
    }

    private static <T> T await(Supplier<T> probe, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("no " + what + " within " + timeout.toSeconds() + " s");
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** The checkout this build came from: the jar's (or classes') folder, else the working directory. */
    private static String gitCommit() {
        List<Path> where = new ArrayList<>();
        try {
            where.add(Path.of(LabRun.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .getParent());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no code source: the working directory alone
        }
        where.add(Path.of("").toAbsolutePath());
        for (Path dir : where) {
            try {
                Process p = new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "HEAD")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return out;
                }
            } catch (IOException e) {
                return "unknown"; // no git
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }
        return "unknown";
    }

    /**
     * The agent's output in the lab: samples go to the embedded broker under the workload's VM id; the
     * host's samples describe the lab's link (the workload's bandwidth) and are repeated for the
     * destination host, which is this same machine, described as idle (its QEMU only waits).
     */
    private final class LabOutput implements SampleOutput {
        private final String vm;
        private final double linkMBps;
        private final AtomicLong firstSampleMs;
        private final AtomicReference<HostSample> destination;

        LabOutput(String vm, double linkMBps, AtomicLong firstSampleMs, AtomicReference<HostSample> destination) {
            this.vm = vm;
            this.linkMBps = linkMBps;
            this.firstSampleMs = firstSampleMs;
            this.destination = destination;
        }

        @Override
        public void vm(VmSample sample) {
            VmSample s = VmSample.newBuilder(sample).setVmId(vm).build();
            firstSampleMs.compareAndSet(-1, s.getTimestamp().toEpochMilli());
            send(
                    Topics.VM_SAMPLES,
                    vm,
                    s.getTimestamp(),
                    serdes.vmSample().serializer().serialize(Topics.VM_SAMPLES, s));
        }

        @Override
        public void host(HostSample sample) {
            HostSample src = HostSample.newBuilder(sample)
                    .setMigrationLinkSpeedMBps(linkMBps)
                    .setMigrationLinkAvailMBps(linkMBps)
                    .build();
            HostSample dst = HostSample.newBuilder(src)
                    .setHostId(DESTINATION_HOST)
                    .setCpuAvailPercent(src.getCpuCores() * 100.0)
                    .build();
            destination.set(dst);
            for (HostSample h : List.of(src, dst)) {
                send(
                        Topics.HOST_SAMPLES,
                        h.getHostId(),
                        h.getTimestamp(),
                        serdes.hostSample().serializer().serialize(Topics.HOST_SAMPLES, h));
            }
        }

        private void send(String topic, String key, Instant at, byte[] value) {
            producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), key, value));
        }

        @Override
        public void endTick() {
            producer.flush();
        }

        @Override
        public void close() {}
    }

    @Override
    public void close() {
        running.set(false);
        if (executor != null) {
            executor.stop();
        }
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                progress.accept("lab run: closing: " + e.getMessage());
            }
        }
        open.clear();
    }

    static List<Algorithm> algorithms(String list) {
        if (list == null || list.isBlank()) {
            return Arrays.asList(Algorithm.values());
        }
        List<Algorithm> out = new ArrayList<>();
        for (String s : list.split(",")) {
            try {
                Algorithm a = Algorithm.parse(s);
                if (!out.contains(a)) {
                    out.add(a);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--algorithms '" + s.strip() + "' is not an algorithm (PRECOPY,"
                        + " AUTO_CONVERGE, XBZRLE, COMPRESS, POSTCOPY or PRE, THR, DLTC, DTC, POST).");
            }
        }
        return out;
    }
}
