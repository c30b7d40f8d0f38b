package io.lmadvisor.streams.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.Calibration;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.recommend.SlaPolicies;
import io.lmadvisor.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Champion/challenger on a fleet whose migrations take 1.5× what the bundled prior predicts. */
class ChampionChallengerTest {
    static final Algorithm[] ALGS = {Algorithm.PRECOPY, Algorithm.XBZRLE, Algorithm.POSTCOPY};
    static ModelArtifact prior;
    static List<MigrationRecord> fleet;

    @BeforeAll
    static void setUp() throws Exception {
        io.lmadvisor.serde.AvroTrust.install(); // the tests build SlaPolicy records before any serde does
        prior = ModelArtifact.loadResource(ModelSource.BUNDLED_RESOURCE);
        fleet = fleet(prior, 20, 5);
    }

    /** Rows the prior predicts, then slowed 1.5× in time, with a little noise. */
    static List<MigrationRecord> fleet(ModelArtifact model, int perAlgorithm, long seed) {
        Random rnd = new Random(seed);
        FeatureSchema schema = model.schema();
        double[] x = new double[schema.size()];
        List<MigrationRecord> out = new ArrayList<>();
        for (Algorithm a : ALGS) {
            for (int i = 0; i < perAlgorithm; i++) {
                double[] raw = RawFeature.emptyVector();
                raw[RawFeature.VM_SIZE.ordinal()] = 512 + rnd.nextDouble() * 3500;
                raw[RawFeature.PDR.ordinal()] = rnd.nextDouble() * 60;
                raw[RawFeature.PTR.ordinal()] = 60 + rnd.nextInt(66);
                schema.extract(raw, x, schema.newScratch());
                double[] t = MigrationRecord.emptyTargets();
                t[Target.TT.ordinal()] =
                        1.5 * model.model().predict(a, Target.TT, x) * Math.exp(0.03 * rnd.nextGaussian());
                t[Target.DT.ordinal()] =
                        1.5 * model.model().predict(a, Target.DT, x) * Math.exp(0.05 * rnd.nextGaussian());
                t[Target.TD.ordinal()] = model.model().predict(a, Target.TD, x) * Math.exp(0.03 * rnd.nextGaussian());
                out.add(new MigrationRecord(
                        "f" + seed + "-" + a.shortName() + "-" + i, 0, a, Workload.SYNTHETIC, raw, t));
            }
        }
        return out;
    }

    @Test
    void aBetterChallengerIsPromotedAndRecommendationsCarryItsVersion() {
        ChampionChallenger.Decision d = ChampionChallenger.decide(
                prior, prior, fleet, 5, 0.05, ChampionChallenger.calibration(Calibration.Params.defaults(), 1), 1);
        assertTrue(d.promote(), d.reason() + " " + d.cells());
        ChampionChallenger.Cell tt = d.cells().stream()
                .filter(c -> c.algorithm() == Algorithm.PRECOPY && c.target() == Target.TT)
                .findFirst()
                .orElseThrow();
        assertTrue(tt.challengerGmre() < 0.5 * tt.championGmre(), tt.toString());
        assertTrue(d.challenger().trainingFingerprint().contains(prior.versionId()));

        try (ModelSource models = ModelSource.fixed(prior, 3)) {
            models.promote(d.challenger());
            assertEquals(d.challenger().versionId(), models.get().modelVersion());
            MigrationRecommendation r = recommend(models);
            assertEquals(d.challenger().versionId(), r.getModelVersion());
        }
    }

    @Test
    void aWorseChallengerIsNotPromoted() {
        // A challenger calibrated on wrong figures (times 3× the fleet's): worse than the prior on the fleet.
        ChampionChallenger.Trainer wrong = (p, rows) -> {
            List<MigrationRecord> skewed = new ArrayList<>();
            for (MigrationRecord r : rows) {
                double[] t = r.targets().clone();
                t[Target.TT.ordinal()] *= 3;
                skewed.add(new MigrationRecord(r.id(), 0, r.algorithm(), r.workload(), r.raw(), t));
            }
            return Calibration.calibrate(p, skewed, Calibration.Params.defaults(), 1);
        };
        ChampionChallenger.Decision d = ChampionChallenger.decide(prior, prior, fleet, 5, 0.05, wrong, 1);
        assertFalse(d.promote(), d.reason());
        assertTrue(d.reason().contains("worse beyond the margin"), d.reason());
        assertNotEquals(prior.versionId(), d.challenger().versionId());
    }

    /** The fleet with total times scaled: a model calibrated on it is that much too slow or too fast. */
    static List<MigrationRecord> timesScaled(List<MigrationRecord> rows, double factor) {
        List<MigrationRecord> out = new ArrayList<>();
        for (MigrationRecord r : rows) {
            double[] t = r.targets().clone();
            t[Target.TT.ordinal()] *= factor;
            out.add(new MigrationRecord(r.id(), 0, r.algorithm(), r.workload(), r.raw(), t));
        }
        return out;
    }

    @Test
    void aChallengerThatLetsRealSlaViolationsThroughIsNotPromotedThoughItsErrorsAreSmaller() {
        // Champion: pessimistic (2x the fleet's times), so it flags every slow migration. Challenger: 10 % optimistic,
        // far more accurate, but it predicts the slowest migrations to finish within the limit they broke.
        ModelArtifact pessimistic = Calibration.artifact(
                Calibration.calibrate(prior, timesScaled(fleet, 2.0), Calibration.Params.defaults(), 1),
                fleet,
                Map.of(),
                Instant.EPOCH);
        ChampionChallenger.Trainer optimistic =
                (p, rows) -> Calibration.calibrate(p, timesScaled(rows, 0.9), Calibration.Params.defaults(), 1);
        double slowest =
                fleet.stream().mapToDouble(r -> r.target(Target.TT)).max().orElseThrow();
        SlaPolicy policy = SlaPolicy.newBuilder(SlaPolicies.builtIn())
                .setMaxTotalTimeMs((long) (0.95 * slowest))
                .setMaxDowntimeMs(null)
                .setMaxPerformanceDegradation(null)
                .build();

        ChampionChallenger.Decision d =
                ChampionChallenger.decide(pessimistic, prior, fleet, 5, 0.05, optimistic, 1, policy);
        assertTrue(
                d.reason().contains("worse on none beyond the margin"),
                "cross-validation alone would promote: " + d.reason());
        assertTrue(d.backtest().recordedViolations() >= 1, d.backtest().toString());
        assertEquals(0, d.backtest().championMissed(), d.backtest().toString());
        assertTrue(d.backtest().challengerMissed() >= 1, d.backtest().toString());
        assertFalse(d.promote(), d.reason());
        assertTrue(d.reason().contains("adds SLA violations"), d.reason());

        // With the built-in SLA no fleet migration broke a limit: the backtest does not stand in the way.
        ChampionChallenger.Decision good = ChampionChallenger.decide(
                prior, prior, fleet, 5, 0.05, ChampionChallenger.calibration(Calibration.Params.defaults(), 1), 1);
        assertFalse(good.backtest().addsViolations(), good.backtest().toString());
    }

    /** One recommendation from the advisor topology reading {@code models}. */
    static MigrationRecommendation recommend(ModelSource models) {
        String scope = "champion-challenger-test";
        Instant t0 = Instant.now().minusSeconds(120);
        var registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + scope));
        AdvisorSerdes serdes =
                AdvisorSerdes.create(registry, Clock.fixed(t0.plus(Duration.ofMinutes(10)), ZoneOffset.UTC));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "calibration-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.putAll(DeadLetters.handlerProperties());
        props.put("schema.registry.url", "mock://" + scope);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                AdvisorTopology.buildTopology(
                        AdvisorTopology.Settings.DEFAULTS,
                        serdes,
                        models,
                        new AdvisorMetrics(),
                        d -> {},
                        "calibration-test"),
                props,
                t0)) {
            StringSerializer keys = new StringSerializer();
            TestInputTopic<String, VmSample> samples = driver.createInputTopic(
                    Topics.VM_SAMPLES, keys, serdes.vmSample().serializer());
            TestInputTopic<String, HostSample> hosts = driver.createInputTopic(
                    Topics.HOST_SAMPLES, keys, serdes.hostSample().serializer());
            TestOutputTopic<String, MigrationRecommendation> recs = driver.createOutputTopic(
                    Topics.MIGRATION_RECOMMENDATIONS,
                    new StringDeserializer(),
                    serdes.recommendation().deserializer());
            for (String h : List.of("src", "dst")) {
                hosts.pipeInput(
                        h,
                        HostSample.newBuilder()
                                .setHostId(h)
                                .setTimestamp(t0)
                                .setCpuCores(4)
                                .setCpuAvailPercent(300)
                                .setMemTotalMb(16384)
                                .setMemAvailMb(12000)
                                .setMigrationLinkSpeedMBps(125)
                                .setMigrationLinkAvailMBps(125)
                                .build(),
                        t0);
            }
            for (int s : new int[] {0, 30}) {
                samples.pipeInput(
                        "vm-1",
                        VmSample.newBuilder()
                                .setVmId("vm-1")
                                .setHostId("src")
                                .setTimestamp(t0.plusSeconds(s))
                                .setMemorySizeMb(2048)
                                .setVmSizeMb(1000)
                                .setDirtiedPagesPerSec(100)
                                .setWorkingSetPages(1000L)
                                .setChangedPageEntropy(null)
                                .setCpuUtilPercent(50)
                                .build(),
                        t0.plusSeconds(s));
            }
            return recs.readValue();
        } finally {
            MockSchemaRegistry.drop(scope);
        }
    }
}
