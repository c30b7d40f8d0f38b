package io.lmadvisor.streams.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskTransition;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.ErrorMetrics;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.recommend.HandModel;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation part of the advisor topology on TopologyTestDriver, with explicit times throughout. */
class EvaluationTopologyTest {
    private static final String SCOPE = "evaluation-topology-test";
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final double VALIDATION_PRE_TT = 0.1;

    private TopologyTestDriver driver;
    private RecommendationEngine engine;
    private TestInputTopic<String, VmProfile> profiles;
    private TestInputTopic<String, MigrationRecommendation> recommendations;
    private TestInputTopic<String, MigrationOutcome> outcomes;
    private TestInputTopic<String, byte[]> rawOutcomes;
    private TestInputTopic<String, HostSample> hosts;
    private TestOutputTopic<String, PredictionEvaluation> evaluations;
    private TestOutputTopic<String, SlaRiskEvent> risks;
    private TestOutputTopic<String, String> trainingRows;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @TempDir
    Path tmp;

    private void start(EvaluationSettings settings) {
        SchemaRegistry registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
        // The validators' wall clock is an hour on: these outcomes span minutes of event time.
        AdvisorSerdes serdes =
                AdvisorSerdes.create(registry, Clock.fixed(T0.plus(Duration.ofHours(1)), ZoneOffset.UTC));
        engine = new RecommendationEngine(
                new Scorer(new HandModel()), "hand-1", 3, Map.of("holdout.gMRE.PRE.TT", VALIDATION_PRE_TT));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "evaluation-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.putAll(DeadLetters.handlerProperties());
        props.put("schema.registry.url", "mock://" + SCOPE);
        AdvisorTopology.Settings s =
                new AdvisorTopology.Settings(Duration.ofSeconds(20), Duration.ofSeconds(5), 3, settings);
        driver = new TopologyTestDriver(
                AdvisorTopology.buildTopology(
                        s, serdes, () -> engine, new AdvisorMetrics(), dl -> {}, "evaluation-test"),
                props,
                T0);
        StringSerializer keys = new StringSerializer();
        StringDeserializer keysIn = new StringDeserializer();
        profiles = driver.createInputTopic(
                Topics.VM_PROFILES, keys, serdes.vmProfile().serializer());
        recommendations = driver.createInputTopic(
                Topics.MIGRATION_RECOMMENDATIONS, keys, serdes.recommendation().serializer());
        outcomes = driver.createInputTopic(
                Topics.MIGRATION_OUTCOMES, keys, serdes.outcome().serializer());
        rawOutcomes = driver.createInputTopic(
                Topics.MIGRATION_OUTCOMES, keys, new org.apache.kafka.common.serialization.ByteArraySerializer());
        hosts = driver.createInputTopic(
                Topics.HOST_SAMPLES, keys, serdes.hostSample().serializer());
        evaluations = driver.createOutputTopic(
                Topics.PREDICTION_EVALUATIONS, keysIn, serdes.evaluation().deserializer());
        risks = driver.createOutputTopic(
                Topics.SLA_RISK_EVENTS, keysIn, serdes.riskEvent().deserializer());
        trainingRows = driver.createOutputTopic(Topics.TRAINING_ROWS, keysIn, new StringDeserializer());
        deadLetters = driver.createOutputTopic(
                Topics.DEAD_LETTERS,
                keysIn,
                AvroSerdes.of(DeadLetter.class, registry, false).deserializer());
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        MockSchemaRegistry.drop(SCOPE);
    }

    // --- fixtures -------------------------------------------------------------------------------

    /** A quiet VM: pre-copy converges easily at 100 MB/s. */
    private static VmProfile profile(String vm, int windowEndS) {
        return profile(vm, windowEndS, 100, 1000);
    }

    private static VmProfile profile(String vm, int windowEndS, double pdrPagesPerSec, double wssPages) {
        return VmProfile.newBuilder()
                .setVmId(vm)
                .setHostId("src")
                .setWindowStart(T0.plusSeconds(windowEndS - 20))
                .setWindowEnd(T0.plusSeconds(windowEndS))
                .setSampleCount(20)
                .setVmSizeMb(2048)
                .setPdrPagesPerSec(pdrPagesPerSec)
                .setWssPages(wssPages)
                .setCpuUtilPercent(50)
                .setSrcCpuAvailPercent(200.0)
                .setSrcMemAvailMb(4000.0)
                .setLateSampleCount(0)
                .build();
    }

    /** Advice from the profile of {@code windowEndS}, made at {@code createdS}: PRECOPY to dst at 100 MB/s predicting {@code ttMs}. */
    private static MigrationRecommendation advice(String vm, int windowEndS, int createdS, double ttMs) {
        List<AlgorithmPrediction> predictions = new ArrayList<>();
        for (MigrationAlgorithm a : MigrationAlgorithm.values()) {
            double scale = a == MigrationAlgorithm.PRECOPY ? 1 : 2;
            predictions.add(AlgorithmPrediction.newBuilder()
                    .setAlgorithm(a)
                    .setTotalTimeMs(ttMs * scale)
                    .setDowntimeMs(100 * scale)
                    .setTransferredBytes(1e9 * scale)
                    .setPerformanceDegradation(0.1)
                    .setSourceCpuExtraPercent(10)
                    .setSourceMemExtraMb(Double.NaN)
                    .setSlaVerdict(SlaVerdict.MEETS_SLA)
                    .build());
        }
        return MigrationRecommendation.newBuilder()
                .setVmId(vm)
                .setSourceHostId("src")
                .setProfileWindowEnd(T0.plusSeconds(windowEndS))
                .setCreatedAt(T0.plusSeconds(createdS))
                .setDestinationHostId("dst")
                .setAlgorithm(MigrationAlgorithm.PRECOPY)
                .setBandwidthMBps(100)
                .setSettings(null)
                .setPredictions(predictions)
                .setModelVersion("hand-1")
                .setReason("test")
                .build();
    }

    private static MigrationOutcome.Builder outcome(
            String id, String vm, MigrationAlgorithm a, int startS, int endS, MigrationStatus status, long ttMs) {
        return MigrationOutcome.newBuilder()
                .setMigrationId(id)
                .setVmId(vm)
                .setAlgorithm(a)
                .setSourceHostId("src")
                .setDestinationHostId("dst")
                .setBandwidthMBps(100)
                .setStartTime(T0.plusSeconds(startS))
                .setEndTime(T0.plusSeconds(endS))
                .setStatus(status)
                .setTotalTimeMs(ttMs)
                .setDowntimeMs(null)
                .setTransferredBytes(null)
                .setPerformanceDegradation(null)
                .setSourceCpuExtraPercent(null)
                .setSourceMemExtraMb(null)
                .setExecutor("test");
    }

    private void pipe(MigrationOutcome o) {
        outcomes.pipeInput(o.getVmId(), o, o.getEndTime());
    }

    /** One VM whose every window has the same advice, predicting {@code ttMs} for pre-copy. */
    private void steadyAdvice(String vm, double ttMs) {
        for (int end = 20; end <= 200; end += 20) {
            profiles.pipeInput(vm, profile(vm, end), T0.plusSeconds(end));
            recommendations.pipeInput(vm, advice(vm, end, end + 6, ttMs), T0.plusSeconds(end));
        }
    }

    private Map<String, PredictionEvaluation> latestEvaluations() {
        Map<String, PredictionEvaluation> latest = new java.util.TreeMap<>();
        for (KeyValue<String, PredictionEvaluation> kv : evaluations.readKeyValuesToList()) {
            latest.put(kv.key, kv.value);
        }
        return latest;
    }

    // --- tests ----------------------------------------------------------------------------------

    @Test
    void joinPicksTheLatestAdviceBeforeTheStartNotAfter() {
        start(EvaluationSettings.DEFAULTS);
        for (int[] w : new int[][] {{20, 26, 10_000}, {40, 46, 20_000}, {60, 66, 40_000}}) {
            profiles.pipeInput("vm-1", profile("vm-1", w[0]), T0.plusSeconds(w[0]));
            recommendations.pipeInput("vm-1", advice("vm-1", w[0], w[1], w[2]), T0.plusSeconds(w[0]));
        }
        // Started at 50 s: window 40 (advice at 46) is current; window 60 ended after the start.
        pipe(outcome("m1", "vm-1", MigrationAlgorithm.PRECOPY, 50, 75, MigrationStatus.COMPLETED, 25_000)
                .build());
        PredictionEvaluation e = latestEvaluations().get("PRE.TT");
        assertEquals(Math.abs(1 - 20_000.0 / 25_000), e.getWindowGmre(), 1e-12);
        assertEquals(1, e.getWindowN());

        // Started at 45 s: window 40 had ended but its advice came at 46, so window 20's advice was current.
        pipe(outcome("m2", "vm-1", MigrationAlgorithm.PRECOPY, 45, 80, MigrationStatus.COMPLETED, 12_500)
                .build());
        e = latestEvaluations().get("PRE.TT");
        assertEquals(ErrorMetrics.geometricMeanOfNonZero(new double[] {0.2, 0.2}), e.getWindowGmre(), 1e-12);
        assertEquals(2, e.getWindowN());
    }

    @Test
    void rollingFiguresEqualAHandComputationOverTheLatestOutcomesByEndTime() {
        start(new EvaluationSettings(3, 2.0, 30));
        steadyAdvice("vm-1", 10_000);
        // Predicted 10 s each time; measured (end time order): 8 s, 12.5 s, 10 s (exact), 20 s, 4 s.
        long[][] runs = {
            {100, 110, 8_000}, {120, 140, 12_500}, {160, 170, 10_000}, {180, 200, 20_000}, {190, 195, 4_000}
        };
        // Arrival order differs from end-time order: the last two arrive first.
        int[] arrival = {3, 4, 0, 1, 2};
        for (int i : arrival) {
            long[] r = runs[i];
            pipe(outcome(
                            "m" + i,
                            "vm-1",
                            MigrationAlgorithm.PRECOPY,
                            (int) r[0],
                            (int) r[1],
                            MigrationStatus.COMPLETED,
                            r[2])
                    .build());
        }
        double[] all = new double[runs.length];
        for (int i = 0; i < runs.length; i++) {
            all[i] = Math.abs(1 - 10_000.0 / runs[i][2]);
        }
        // The window holds the three latest by end time: runs 2, 4 (ends 170, 195) and 3 (200).
        double[] window = {all[2], all[4], all[3]};
        double[] predictedWindow = {10_000, 10_000, 10_000};
        double[] actualWindow = {runs[2][2], runs[4][2], runs[3][2]};
        Map<String, PredictionEvaluation> latest = latestEvaluations();
        PredictionEvaluation e = latest.get("PRE.TT");
        assertEquals(3, e.getWindowN());
        assertEquals(5, e.getSinceStartN());
        assertEquals(ErrorMetrics.gMRE(predictedWindow, actualWindow), e.getWindowGmre(), 1e-12);
        assertEquals(ErrorMetrics.geometricMeanOfNonZero(window), e.getWindowGmre(), 1e-12);
        assertEquals(ErrorMetrics.medianRE(predictedWindow, actualWindow), e.getWindowMedianRe(), 1e-12);
        assertEquals(ErrorMetrics.p90RE(predictedWindow, actualWindow), e.getWindowP90Re(), 1e-12);
        assertEquals(ErrorMetrics.geometricMeanOfNonZero(all), e.getSinceStartGmre(), 1e-12);
        assertEquals(VALIDATION_PRE_TT, e.getValidationGmre(), 0);
        assertEquals("hand-1", e.getModelVersion());
        assertEquals(T0.plusSeconds(200), e.getUpdatedAt());
        // Measured but unknown downtime, and a prediction the model does not make (MEM = NaN): no figures.
        assertNull(latest.get("PRE.DT"));

        // A redelivered outcome changes nothing.
        pipe(outcome("m3", "vm-1", MigrationAlgorithm.PRECOPY, 180, 200, MigrationStatus.COMPLETED, 20_000)
                .build());
        assertTrue(evaluations.isEmpty());
    }

    @Test
    void figuresOfEveryMetricBothSidesKnow() {
        start(EvaluationSettings.DEFAULTS);
        steadyAdvice("vm-1", 10_000);
        pipe(outcome("m1", "vm-1", MigrationAlgorithm.XBZRLE, 100, 110, MigrationStatus.COMPLETED, 25_000)
                .setDowntimeMs(250L)
                .setTransferredBytes(0L)
                .setPerformanceDegradation(0.05)
                .setSourceMemExtraMb(30.0)
                .build());
        Map<String, PredictionEvaluation> e = latestEvaluations();
        // XBZRLE's predictions are twice pre-copy's in advice(): TT 20 s, DT 200 ms.
        assertEquals(0.2, e.get("DLTC.TT").getWindowGmre(), 1e-12);
        assertEquals(0.2, e.get("DLTC.DT").getWindowGmre(), 1e-12);
        assertEquals(1.0, e.get("DLTC.PERF").getWindowGmre(), 1e-12);
        assertNull(e.get("DLTC.TD"), "a true value of 0 has no relative error");
        assertNull(e.get("DLTC.MEM"), "the advice has no MEM prediction");
        assertNull(e.get("DLTC.CPU"), "the outcome has no CPU measure");
        assertNull(e.get("PRE.TT"));
        assertEquals(MigrationAlgorithm.XBZRLE, e.get("DLTC.TT").getAlgorithm());
        assertEquals("TT", e.get("DLTC.TT").getMetric());
        assertNull(e.get("DLTC.TT").getValidationGmre(), "the model file has no DLTC.TT figure");
    }

    @Test
    void offPolicyDestinationIsRescoredForWhatWasActuallyDone() {
        start(EvaluationSettings.DEFAULTS);
        hosts.pipeInput(
                "other",
                HostSample.newBuilder()
                        .setHostId("other")
                        .setTimestamp(T0)
                        .setCpuCores(8)
                        .setCpuAvailPercent(600)
                        .setMemTotalMb(32768)
                        .setMemAvailMb(20000)
                        .setMigrationLinkSpeedMBps(125)
                        .setMigrationLinkAvailMBps(125)
                        .build(),
                T0);
        steadyAdvice("vm-1", 10_000);
        pipe(outcome("m1", "vm-1", MigrationAlgorithm.POSTCOPY, 100, 130, MigrationStatus.COMPLETED, 30_000)
                .setDestinationHostId("other")
                .setBandwidthMBps(50)
                .build());
        double predicted = engine.predict(
                        profile("vm-1", 100), new HostState("other", 600, 20000, 125, 125, 0), 50, Algorithm.POSTCOPY)[
                Target.TT.ordinal()];
        // HandModel: 2048 MB / 50 MB/s × 1.1 = 45 s, not the advice's 20 s for 100 MB/s.
        assertEquals(2048.0 / 50 * 1000 * 1.1, predicted, 1e-9);
        assertEquals(
                Math.abs(1 - predicted / 30_000),
                latestEvaluations().get("POST.TT").getWindowGmre(),
                1e-12);
    }

    @Test
    void nonConvergedPrecopyCountsAsHitOrMissOfThePredictedRisk() {
        start(EvaluationSettings.DEFAULTS);
        // Windows 20..100 are quiet, 120..200 dirty 100k pages/s (≈ 390 MB/s) against 100 MB/s: non-convergent.
        for (int end = 20; end <= 200; end += 20) {
            double pdr = end <= 100 ? 100 : 100_000;
            profiles.pipeInput("vm-1", profile("vm-1", end, pdr, 200_000), T0.plusSeconds(end));
            recommendations.pipeInput("vm-1", advice("vm-1", end, end + 6, 10_000), T0.plusSeconds(end));
        }
        pipe(outcome("hit", "vm-1", MigrationAlgorithm.PRECOPY, 130, 160, MigrationStatus.NON_CONVERGED, 30_000)
                .build());
        pipe(outcome("false-alarm", "vm-1", MigrationAlgorithm.PRECOPY, 150, 170, MigrationStatus.COMPLETED, 20_000)
                .build());
        pipe(outcome("missed", "vm-1", MigrationAlgorithm.PRECOPY, 50, 90, MigrationStatus.NON_CONVERGED, 40_000)
                .build());
        pipe(outcome("quiet", "vm-1", MigrationAlgorithm.PRECOPY, 70, 80, MigrationStatus.COMPLETED, 10_000)
                .build());
        pipe(outcome("not-precopy", "vm-1", MigrationAlgorithm.POSTCOPY, 150, 180, MigrationStatus.NON_CONVERGED, 9_000)
                .build());
        pipe(outcome("failed", "vm-1", MigrationAlgorithm.PRECOPY, 150, 181, MigrationStatus.FAILED, 9_000)
                .build());
        Map<String, PredictionEvaluation> latest = latestEvaluations();
        PredictionEvaluation risk = latest.get("PRE.PRECOPY_NON_CONVERGENT");
        assertEquals(4, risk.getSinceStartN());
        assertEquals(2, risk.getRiskPredictedN());
        assertEquals(2, risk.getRiskHappenedN());
        assertEquals(1, risk.getRiskHitN());
        assertEquals(0.5, risk.getRiskPrecision(), 1e-12);
        assertEquals(0.5, risk.getRiskRecall(), 1e-12);
        assertNull(risk.getWindowGmre());
        // Only the two completed pre-copy runs have accuracy figures.
        assertEquals(2, latest.get("PRE.TT").getSinceStartN());
    }

    @Test
    void modelDriftIsRaisedAboveTheFactorAndClearedWithHysteresis() {
        start(new EvaluationSettings(4, 2.0, 3));
        steadyAdvice("vm-1", 10_000);
        int s = 30;
        // Relative error 0.5 against a validation gMRE of 0.1: raised once the window holds 3 outcomes.
        for (int i = 0; i < 3; i++, s += 10) {
            pipe(outcome("bad" + i, "vm-1", MigrationAlgorithm.PRECOPY, s, s + 5, MigrationStatus.COMPLETED, 20_000)
                    .build());
            assertEquals(i < 2 ? 0 : 1, risks.getQueueSize(), "after outcome " + i);
        }
        SlaRiskEvent raised = risks.readKeyValue().value;
        assertEquals(SlaRiskType.MODEL_DRIFT, raised.getRiskType());
        assertEquals(SlaRiskTransition.RAISED, raised.getTransition());
        assertEquals("model:PRE.TT", raised.getVmId());
        assertEquals(0.5, raised.getPredictedValue(), 1e-12);
        assertEquals(2.0 * VALIDATION_PRE_TT, raised.getLimitValue(), 1e-12);

        // 0.18 is under the raise threshold (0.2) but above the clear threshold (0.16): still open.
        for (int i = 0; i < 4; i++, s += 10) {
            pipe(outcome(
                            "meh" + i,
                            "vm-1",
                            MigrationAlgorithm.PRECOPY,
                            s,
                            s + 5,
                            MigrationStatus.COMPLETED,
                            Math.round(10_000 / 1.18))
                    .build());
        }
        assertTrue(risks.isEmpty());
        for (int i = 0; i < 4; i++, s += 10) {
            pipe(outcome("good" + i, "vm-1", MigrationAlgorithm.PRECOPY, s, s + 5, MigrationStatus.COMPLETED, 10_100)
                    .build());
        }
        List<KeyValue<String, SlaRiskEvent>> cleared = risks.readKeyValuesToList();
        assertEquals(1, cleared.size());
        assertEquals("model:PRE.TT", cleared.get(0).key);
        assertEquals(SlaRiskTransition.CLEARED, cleared.get(0).value.getTransition());
    }

    @Test
    void completedOutcomesBecomeCsapRowsTheReaderReadsBack() throws Exception {
        start(EvaluationSettings.DEFAULTS);
        steadyAdvice("vm-1", 10_000);
        pipe(outcome(
                        "vm-1@100000/PRECOPY",
                        "vm-1",
                        MigrationAlgorithm.PRECOPY,
                        110,
                        140,
                        MigrationStatus.COMPLETED,
                        30_000)
                .setDowntimeMs(120L)
                .setTransferredBytes(3_000_000_000L)
                .setPerformanceDegradation(0.04)
                .setSourceCpuExtraPercent(12.5)
                .setSourceMemExtraMb(40.0)
                .build());
        pipe(outcome("nc", "vm-1", MigrationAlgorithm.PRECOPY, 150, 190, MigrationStatus.NON_CONVERGED, 40_000)
                .build());
        List<KeyValue<String, String>> rows = trainingRows.readKeyValuesToList();
        assertEquals(1, rows.size(), "non-converged runs are no training rows");
        assertEquals("vm-1", rows.get(0).key);

        Path file = tmp.resolve("rows.csv");
        Files.writeString(
                file, io.lmadvisor.model.data.CsapWriter.header(DatasetFormat.CSAP) + "\n" + rows.get(0).value + "\n");
        Dataset d = DatasetFormat.CSAP.read(file, ReadOptions.defaults());
        assertEquals(List.of(), d.badRows());
        MigrationRecord r = d.records().get(0);
        assertEquals(Algorithm.PRECOPY, r.algorithm());
        assertNull(r.workload());
        assertEquals(2048, r.raw(RawFeature.VM_SIZE), 0);
        assertEquals(100, r.raw(RawFeature.PTR), 0);
        assertEquals(4000, r.raw(RawFeature.SRC_MEM_AVAIL), 0);
        assertTrue(Double.isNaN(r.raw(RawFeature.DST_MEM_AVAIL)), "the destination was never sampled");
        assertEquals(30_000, r.target(Target.TT), 0);
        assertEquals(120, r.target(Target.DT), 0);
        assertEquals(3e9, r.target(Target.TD), 0);
        assertEquals(0.04, r.target(Target.PERF), 0);
        assertEquals(12.5, r.target(Target.CPU), 0);
        assertEquals(40, r.target(Target.MEM), 0);
    }

    @Test
    void badOrUnmatchedOutcomesAreDeadLetteredOrSkippedWithoutACrash() {
        start(EvaluationSettings.DEFAULTS);
        steadyAdvice("vm-1", 10_000);
        pipe(outcome("neg", "vm-1", MigrationAlgorithm.PRECOPY, 100, 110, MigrationStatus.COMPLETED, -5)
                .build());
        rawOutcomes.pipeInput("vm-1", new byte[] {1, 2, 3}, T0.plusSeconds(120));
        pipe(outcome("early", "vm-1", MigrationAlgorithm.PRECOPY, 10, 15, MigrationStatus.COMPLETED, 5_000)
                .build());
        pipe(outcome("stranger", "vm-9", MigrationAlgorithm.PRECOPY, 100, 110, MigrationStatus.COMPLETED, 5_000)
                .build());
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertEquals(2, dead.size());
        assertTrue(
                dead.get(0).getReason().contains("totalTimeMs is negative"),
                dead.get(0).getReason());
        assertTrue(evaluations.isEmpty(), "no profile before the start: nothing to judge");
        pipe(outcome("ok", "vm-1", MigrationAlgorithm.PRECOPY, 100, 110, MigrationStatus.COMPLETED, 10_000)
                .build());
        assertEquals(0.0, latestEvaluations().get("PRE.TT").getWindowMedianRe(), 0);
    }
}
