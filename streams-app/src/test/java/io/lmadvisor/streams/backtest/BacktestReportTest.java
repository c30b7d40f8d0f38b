package io.lmadvisor.streams.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.streams.recommend.HandModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BacktestReportTest {
    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
    private static final Map<String, SlaPolicy> POLICIES = Map.of(
            "default",
            SlaPolicy.newBuilder()
                    .setMaxDowntimeMs(500L)
                    .setObjective(SlaObjective.MIN_TOTAL_TIME)
                    .build());

    private static VmProfile profile(String vm, Instant end, double sizeMb) {
        return VmProfile.newBuilder()
                .setVmId(vm)
                .setHostId("src")
                .setWindowStart(end.minusSeconds(20))
                .setWindowEnd(end)
                .setSampleCount(20)
                .setVmSizeMb(sizeMb)
                .setPdrPagesPerSec(100)
                .setWssPages(1000)
                .setCpuUtilPercent(50)
                .setLateSampleCount(0)
                .build();
    }

    private static MigrationRecommendation advice(
            String vm, Instant end, MigrationAlgorithm chosen, double ttMs, List<String> violated) {
        AlgorithmPrediction p = AlgorithmPrediction.newBuilder()
                .setAlgorithm(chosen)
                .setTotalTimeMs(ttMs)
                .setDowntimeMs(5)
                .setTransferredBytes(2e9)
                .setPerformanceDegradation(0.1)
                .setSourceCpuExtraPercent(1)
                .setSourceMemExtraMb(1)
                .setSlaVerdict(violated.isEmpty() ? SlaVerdict.MEETS_SLA : SlaVerdict.VIOLATES_SLA)
                .setViolatedLimits(violated)
                .build();
        return MigrationRecommendation.newBuilder()
                .setVmId(vm)
                .setSourceHostId("src")
                .setProfileWindowEnd(end)
                .setCreatedAt(end)
                .setDestinationHostId("dst")
                .setAlgorithm(chosen)
                .setBandwidthMBps(100)
                .setPredictions(List.of(p))
                .setModelVersion("hand")
                .setReason("test")
                .build();
    }

    private static MigrationOutcome outcome(
            String id,
            String vm,
            Instant start,
            MigrationAlgorithm a,
            MigrationStatus s,
            Long ttMs,
            Long dtMs,
            Long tdBytes) {
        return MigrationOutcome.newBuilder()
                .setMigrationId(id)
                .setVmId(vm)
                .setAlgorithm(a)
                .setSourceHostId("src")
                .setDestinationHostId("dst")
                .setBandwidthMBps(100)
                .setStartTime(start)
                .setEndTime(start.plusSeconds(20))
                .setStatus(s)
                .setTotalTimeMs(ttMs)
                .setDowntimeMs(dtMs)
                .setTransferredBytes(tdBytes)
                .build();
    }

    @Test
    void pairsEachOutcomeWithTheProfileAndAdviceBeforeItsStart() {
        List<VmProfile> profiles = List.of(profile("vm-1", T, 1000), profile("vm-1", T.plusSeconds(20), 2000));
        List<MigrationRecommendation> advice = List.of(
                advice("vm-1", T, MigrationAlgorithm.POSTCOPY, 12_000, List.of()),
                advice("vm-1", T.plusSeconds(20), MigrationAlgorithm.PRECOPY, 30_000, List.of()));
        // Hand model at 1000 MB, 100 MB/s: PRE TT = 15 s, DT = 900 ms, TD = 1000 MiB x 1.5.
        long tdBytes = Math.round(1000 * 1048576 * 1.5 * 1.25);
        List<MigrationOutcome> outcomes = List.of(
                outcome(
                        "m1",
                        "vm-1",
                        T.plusSeconds(10),
                        MigrationAlgorithm.PRECOPY,
                        MigrationStatus.COMPLETED,
                        16_000L,
                        1000L,
                        tdBytes),
                outcome(
                        "m2",
                        "vm-1",
                        T.plusSeconds(25),
                        MigrationAlgorithm.PRECOPY,
                        MigrationStatus.NON_CONVERGED,
                        null,
                        null,
                        null),
                outcome(
                        "m3",
                        "vm-9",
                        T.plusSeconds(25),
                        MigrationAlgorithm.PRECOPY,
                        MigrationStatus.COMPLETED,
                        1000L,
                        10L,
                        10L));

        BacktestReport r =
                BacktestReport.compute("hand", new HandModel(), profiles, advice, outcomes, List.of(), POLICIES);

        assertEquals(3, r.outcomes());
        assertEquals(1, r.withoutProfile());
        CellEvaluation tt = r.evaluation().cell(Algorithm.PRECOPY, Target.TT).orElseThrow();
        assertEquals(1, tt.n());
        assertEquals(1.0 / 16, tt.gMRE(), 1e-9, "15 s predicted from the profile before the start, 16 s measured");
        assertEquals(
                0.1,
                r.evaluation().cell(Algorithm.PRECOPY, Target.DT).orElseThrow().gMRE(),
                1e-9);
        assertEquals(
                0.2,
                r.evaluation().cell(Algorithm.PRECOPY, Target.TD).orElseThrow().gMRE(),
                1e-6);
        // m1: recorded 1000 ms downtime breaks the 500 ms SLA; the advice (post-copy, predicted compliant) avoids it.
        // m2: non-converged counts as a violation; the advice then was pre-copy too.
        assertEquals(2, r.recordedViolations());
        assertEquals(1, r.agreed());
        assertEquals(1, r.differed());
        assertEquals(0, r.heldBack());
        assertEquals(1, r.violationsAvoided());
        assertEquals(0, r.violationsIntroduced());
        assertEquals(4000, r.totalTimeSavedMs(), 1e-9);
        assertEquals(tdBytes - 2e9, r.transferredBytesSaved(), 1e-3);
        assertTrue(r.comparisonText().contains("avoided 1, introduced 0"), r.comparisonText());
    }

    @Test
    void theReportDoesNotDependOnRecordOrder() {
        List<VmProfile> profiles = new ArrayList<>();
        List<MigrationRecommendation> advice = new ArrayList<>();
        List<MigrationOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Instant end = T.plusSeconds(20L * i);
            profiles.add(profile("vm-" + (i % 3), end, 800 + 50 * i));
            advice.add(advice("vm-" + (i % 3), end, MigrationAlgorithm.values()[i % 5], 10_000 + i, List.of()));
            outcomes.add(outcome(
                    "m" + i,
                    "vm-" + (i % 3),
                    end.plusSeconds(3),
                    MigrationAlgorithm.values()[(i * 2) % 5],
                    MigrationStatus.COMPLETED,
                    9_000L + 300 * i,
                    100L + i,
                    1_000_000_000L + i));
        }
        BacktestReport a =
                BacktestReport.compute("hand", new HandModel(), profiles, advice, outcomes, List.of(), POLICIES);
        Collections.reverse(profiles);
        Collections.reverse(advice);
        Collections.shuffle(outcomes, new java.util.Random(4));
        BacktestReport b =
                BacktestReport.compute("hand", new HandModel(), profiles, advice, outcomes, List.of(), POLICIES);
        assertEquals(a, b);
    }

    @Test
    void policyFilesNameWhatIsWrong(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path good = Files.writeString(
                dir.resolve("p.json"),
                "{\"default\": {\"maxDowntimeMs\": 300}, \"vm-1\": {\"maxTotalTimeMs\": 60000, \"objective\": \"MIN_DEGRADATION\"}}");
        Map<String, SlaPolicy> p = PolicyFile.read(good);
        assertEquals(300L, p.get("default").getMaxDowntimeMs());
        assertEquals(SlaObjective.MIN_DEGRADATION, p.get("vm-1").getObjective());
        Path typo = Files.writeString(dir.resolve("t.json"), "{\"default\": {\"maxDowntime\": 300}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyFile.read(typo));
        assertTrue(e.getMessage().contains("maxDowntime"), e.getMessage());
        Path fraction = Files.writeString(dir.resolve("f.json"), "{\"default\": {\"maxDowntimeMs\": 0.5}}");
        assertThrows(IllegalArgumentException.class, () -> PolicyFile.read(fraction));
    }
}
