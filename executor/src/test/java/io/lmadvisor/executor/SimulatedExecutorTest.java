package io.lmadvisor.executor;

import static io.lmadvisor.executor.Fixtures.WINDOW_END;
import static io.lmadvisor.executor.Fixtures.profile;
import static io.lmadvisor.executor.Fixtures.recommendation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.executor.SimulatedExecutor.SkipReason;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.simulator.migration.MeasurementNoise;
import io.lmadvisor.simulator.migration.MigrationSettings;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedExecutorTest {
    private static final ExecutorSettings ALL_ON_POLICY = new ExecutorSettings(1.0, 0.0, 7L, "g");

    private static SimulatedExecutor noiseless(ExecutorSettings s) {
        return new SimulatedExecutor(s, new MigrationSimulator(), MeasurementNoise.NONE);
    }

    @Test
    void executesTheRecommendedAlgorithm() {
        for (MigrationAlgorithm a : MigrationAlgorithm.values()) {
            SimulatedExecutor ex = noiseless(ALL_ON_POLICY);
            MigrationOutcome o = ex.execute(
                            profile("vm-1", WINDOW_END), recommendation("vm-1", WINDOW_END, a), WINDOW_END)
                    .orElseThrow();
            assertEquals(a, o.getAlgorithm());
            assertEquals("vm-1@" + WINDOW_END.toEpochMilli() + "/" + a.name(), o.getMigrationId());
        }
    }

    @Test
    void outcomeMatchesTheSimulatorForTheSameInputs() {
        VmProfile p = profile("vm-1", WINDOW_END);
        MigrationRecommendation rec = recommendation("vm-1", WINDOW_END, MigrationAlgorithm.XBZRLE);
        Instant start = Instant.parse("2025-01-01T00:01:02Z");

        MigrationOutcome o = noiseless(ALL_ON_POLICY).execute(p, rec, start).orElseThrow();

        // The same inputs by hand: pages -> MB (256 pages per MB), the measured distinct rate as a write rate,
        // and the profile's measures.
        double writeMBps = io.lmadvisor.model.features.DirtyRate.writeRate(20, 256, 1.0);
        var vm = new io.lmadvisor.simulator.workload.VmSnapshot(
                ProfileMapping.DEFAULT_WORKLOAD, 2048, writeMBps, 256, 0.6, 0.3, 800, 3e9, 80, 2.0, 2);
        var host = new io.lmadvisor.simulator.workload.HostLoad(150, 300, 6000, 8192);
        var expected = new MigrationSimulator().simulate(Algorithm.XBZRLE, vm, host, MigrationSettings.defaults(100));

        assertEquals(Math.round(expected.totalTimeMs), o.getTotalTimeMs());
        assertEquals(Math.round(expected.downtimeMs), o.getDowntimeMs());
        assertEquals(Math.round(expected.transferredBytes), o.getTransferredBytes());
        assertEquals(expected.perfDegradation, o.getPerformanceDegradation(), 1e-12);
        assertEquals(expected.srcCpuPct, o.getSourceCpuExtraPercent(), 1e-12);
        assertEquals(expected.srcMemMb, o.getSourceMemExtraMb(), 1e-12);
        assertEquals(expected.converged() ? MigrationStatus.COMPLETED : MigrationStatus.NON_CONVERGED, o.getStatus());
        assertTrue(o.getTotalTimeMs() > 0 && o.getTransferredBytes() > 2048L * 1024 * 1024);

        assertEquals(start, o.getStartTime());
        assertEquals(start.plusMillis(o.getTotalTimeMs()), o.getEndTime());
        assertEquals("vm-1", o.getVmId());
        assertEquals("host-a", o.getSourceHostId());
        assertEquals("host-b", o.getDestinationHostId());
        assertEquals(100.0, o.getBandwidthMBps());
        assertEquals("model-7", o.getRecommendationModelVersion());
        assertEquals("simulator", o.getExecutor());
    }

    @Test
    void nonConvergingMigrationIsReportedAsSuch() {
        // Dirtying 200 MB/s over the whole 2 GiB against 30 MB/s cannot converge with pre-copy.
        VmProfile p = VmProfile.newBuilder(profile("vm-1", WINDOW_END))
                .setPdrPagesPerSec(200 * 256)
                .setWssPages(2048 * 256)
                .setCpuUtilPercent(5)
                .build();
        MigrationRecommendation rec = MigrationRecommendation.newBuilder(
                        recommendation("vm-1", WINDOW_END, MigrationAlgorithm.PRECOPY))
                .setBandwidthMBps(30)
                .build();

        MigrationOutcome o =
                noiseless(ALL_ON_POLICY).execute(p, rec, WINDOW_END).orElseThrow();

        assertEquals(MigrationStatus.NON_CONVERGED, o.getStatus());
        assertTrue(o.getTotalTimeMs() >= (long) MigrationSettings.DEFAULT_TIMEOUT_MS, "TT " + o.getTotalTimeMs());
    }

    @Test
    void aHotWorkingSetMeasuredAtItsCeilingDoesNotConvergeTwice() {
        // 64 MB hot set written at 400 MB/s: the agent reports the distinct pages of one second, ~64 MB/s.
        double measuredMBps = io.lmadvisor.model.features.DirtyRate.distinctRate(400, 64, 1.0);
        VmProfile p = VmProfile.newBuilder(profile("vm-1", WINDOW_END))
                .setPdrPagesPerSec(measuredMBps * 256)
                .setWssPages(64 * 256)
                .build();
        var vm = ProfileMapping.snapshot(p);
        var host = ProfileMapping.hostLoad(p);
        MigrationSettings s = MigrationSettings.defaults(100);
        var sim = new MigrationSimulator();
        // Taken as a write rate, the measured figure is saturated again by the simulator and converges...
        assertTrue(sim.simulate(Algorithm.PRECOPY, vm.withPdr(measuredMBps), host, s)
                .converged());
        // ...but the VM really re-dirties its whole hot set within any round: it does not.
        assertTrue(vm.pdrMBps() > 250, "write rate " + vm.pdrMBps());
        assertFalse(sim.simulate(Algorithm.PRECOPY, vm, host, s).converged());
    }

    @Test
    void missingMeasuresFallBackToTheDefaultWorkloadTraits() {
        VmProfile p = VmProfile.newBuilder(profile("vm-1", WINDOW_END))
                .setWse(null)
                .setNwse(null)
                .setMwppBytes(null)
                .setIpsPerSec(null)
                .setNetUtilMBps(null)
                .setSrcCpuAvailPercent(null)
                .setSrcMemAvailMb(null)
                .build();
        var traits = io.lmadvisor.simulator.workload.WorkloadCatalog.traits(ProfileMapping.DEFAULT_WORKLOAD);

        var vm = ProfileMapping.snapshot(p);
        var host = ProfileMapping.hostLoad(p);

        assertEquals(traits.wse(), vm.wse());
        assertEquals(traits.nwse(), vm.nwse());
        assertEquals(traits.mwppBytes(), vm.mwppBytes());
        assertEquals(traits.vcpus(), vm.vcpus(), "no vCPU count in the profile");
        assertEquals(
                1,
                ProfileMapping.snapshot(VmProfile.newBuilder(p).setVcpus(1).build())
                        .vcpus());
        // 20 MB/s of distinct pages over 256 MB means 256·−ln(1 − 20/256) = 20.8 MB/s of writes.
        assertEquals(20.82, vm.pdrMBps(), 0.01);
        assertEquals(256.0, vm.wssMb(), 1e-12);
        // CSAP host: 4 cores, 1 busy besides the VM's 80%; half of 16 GiB free minus the VM.
        assertEquals(400 - 100 - 80, host.srcCpuAvailPct(), 1e-12);
        assertEquals(8192 - 2048, host.srcMemAvailMb(), 1e-12);
        assertTrue(noiseless(ALL_ON_POLICY)
                .execute(p, recommendation("vm-1", WINDOW_END, MigrationAlgorithm.COMPRESS), WINDOW_END)
                .isPresent());
    }

    @Test
    void offPolicyFractionOneAlwaysPicksAnotherAlgorithm() {
        SimulatedExecutor ex = noiseless(new ExecutorSettings(1.0, 1.0, 3L, "g"));
        Set<MigrationAlgorithm> used = EnumSet.noneOf(MigrationAlgorithm.class);
        for (int i = 0; i < 200; i++) {
            Instant w = WINDOW_END.plus(Duration.ofMinutes(i));
            MigrationOutcome o = ex.execute(
                            profile("vm-" + i, w), recommendation("vm-" + i, w, MigrationAlgorithm.AUTO_CONVERGE), w)
                    .orElseThrow();
            assertNotEquals(MigrationAlgorithm.AUTO_CONVERGE, o.getAlgorithm());
            assertTrue(o.getMigrationId().endsWith("/" + o.getAlgorithm().name()));
            used.add(o.getAlgorithm());
        }
        // Uniform over the other four: 200 draws miss one with probability ~4·0.75^200.
        assertEquals(EnumSet.complementOf(EnumSet.of(MigrationAlgorithm.AUTO_CONVERGE)), used);
    }

    @Test
    void executeFractionZeroExecutesNothing() {
        SimulatedExecutor ex = noiseless(new ExecutorSettings(0.0, 0.0, 1L, "g"));
        for (int i = 0; i < 50; i++) {
            assertTrue(ex.execute(
                            profile("vm-" + i, WINDOW_END),
                            recommendation("vm-" + i, WINDOW_END, MigrationAlgorithm.PRECOPY),
                            WINDOW_END)
                    .isEmpty());
            assertEquals(SkipReason.NOT_SELECTED, ex.lastSkip());
        }
        assertEquals(0, ex.executedCount());
        assertEquals(50L, ex.skippedCounts().get(SkipReason.NOT_SELECTED));
    }

    @Test
    void executeFractionHalfRunsAboutHalf() {
        SimulatedExecutor ex = noiseless(new ExecutorSettings(0.5, 0.0, 11L, "g"));
        for (int i = 0; i < 400; i++) {
            ex.execute(
                    profile("vm-" + i, WINDOW_END),
                    recommendation("vm-" + i, WINDOW_END, MigrationAlgorithm.POSTCOPY),
                    WINDOW_END);
        }
        assertTrue(ex.executedCount() > 150 && ex.executedCount() < 250, "executed " + ex.executedCount());
    }

    @Test
    void vmMidMigrationIsSkippedUntilItsSimulatedEnd() {
        SimulatedExecutor ex = noiseless(ALL_ON_POLICY);
        MigrationOutcome first = ex.execute(
                        profile("vm-1", WINDOW_END),
                        recommendation("vm-1", WINDOW_END, MigrationAlgorithm.PRECOPY),
                        WINDOW_END)
                .orElseThrow();
        Instant end = first.getEndTime();
        Instant nextWindow = WINDOW_END.plusSeconds(10);

        Optional<MigrationOutcome> during = ex.execute(
                profile("vm-1", nextWindow),
                recommendation("vm-1", nextWindow, MigrationAlgorithm.PRECOPY),
                end.minusMillis(1));
        assertTrue(during.isEmpty());
        assertEquals(SkipReason.MIGRATING, ex.lastSkip());
        assertTrue(ex.isMigrating("vm-1", end.minusMillis(1)));
        // Another VM is not affected.
        assertTrue(ex.execute(
                        profile("vm-2", nextWindow),
                        recommendation("vm-2", nextWindow, MigrationAlgorithm.PRECOPY),
                        end.minusMillis(1))
                .isPresent());

        Optional<MigrationOutcome> after = ex.execute(
                profile("vm-1", nextWindow), recommendation("vm-1", nextWindow, MigrationAlgorithm.PRECOPY), end);
        assertTrue(after.isPresent());
        assertNull(ex.lastSkip());
    }

    @Test
    void recommendationsWithoutDestinationOrAlgorithmAreNotRun() {
        SimulatedExecutor ex = noiseless(ALL_ON_POLICY);
        VmProfile p = profile("vm-1", WINDOW_END);
        MigrationRecommendation base = recommendation("vm-1", WINDOW_END, MigrationAlgorithm.PRECOPY);

        assertTrue(ex.execute(
                        p,
                        MigrationRecommendation.newBuilder(base)
                                .setDestinationHostId(null)
                                .setAlgorithm(null)
                                .build(),
                        WINDOW_END)
                .isEmpty());
        assertEquals(SkipReason.NO_DESTINATION, ex.lastSkip());
        assertTrue(ex.execute(
                        p,
                        MigrationRecommendation.newBuilder(base)
                                .setAlgorithm(null)
                                .build(),
                        WINDOW_END)
                .isEmpty());
        assertEquals(SkipReason.NO_ALGORITHM, ex.lastSkip());
        assertTrue(ex.execute(
                        p,
                        MigrationRecommendation.newBuilder(base)
                                .setBandwidthMBps(0)
                                .build(),
                        WINDOW_END)
                .isEmpty());
        assertEquals(SkipReason.INVALID_BANDWIDTH, ex.lastSkip());
        assertTrue(ex.execute(profile("vm-other", WINDOW_END), base, WINDOW_END).isEmpty());
        assertEquals(SkipReason.INVALID_PROFILE, ex.lastSkip());
        assertTrue(ex.execute(VmProfile.newBuilder(p).setVmSizeMb(0).build(), base, WINDOW_END)
                .isEmpty());
        assertEquals(SkipReason.INVALID_PROFILE, ex.lastSkip());
        assertEquals(5, ex.skippedCount());
        assertEquals(0, ex.executedCount());
    }

    @Test
    void sameSeedGivesTheSameOutcomesWhateverTheOrder() {
        ExecutorSettings s = new ExecutorSettings(0.7, 0.5, 99L, "g");
        List<MigrationOutcome> forward = run(new SimulatedExecutor(s), false);
        List<MigrationOutcome> backward = run(new SimulatedExecutor(s), true);
        List<MigrationOutcome> otherSeed = run(new SimulatedExecutor(s.withSeed(100L)), false);

        assertEquals(forward, backward);
        assertTrue(forward.size() > 20 && forward.size() < 60, "executed " + forward.size());
        assertNotEquals(forward, otherSeed);
    }

    private static List<MigrationOutcome> run(SimulatedExecutor ex, boolean reversed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            order.add(reversed ? 59 - i : i);
        }
        MigrationOutcome[] byVm = new MigrationOutcome[60];
        for (int i : order) {
            ex.execute(
                            profile("vm-" + i, WINDOW_END),
                            recommendation("vm-" + i, WINDOW_END, MigrationAlgorithm.values()[i % 5]),
                            WINDOW_END)
                    .ifPresent(o -> byVm[i] = o);
        }
        List<MigrationOutcome> out = new ArrayList<>();
        for (MigrationOutcome o : byVm) {
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ExecutorSettings(1.5, 0, 1, "g"));
        assertThrows(IllegalArgumentException.class, () -> new ExecutorSettings(-0.1, 0, 1, "g"));
        assertThrows(IllegalArgumentException.class, () -> new ExecutorSettings(1, Double.NaN, 1, "g"));
        assertThrows(IllegalArgumentException.class, () -> new ExecutorSettings(1, 0, 1, " "));
        assertThrows(NullPointerException.class, () -> new ExecutorSettings(1, 0, 1, null));
        assertEquals(
                ExecutorSettings.DEFAULT_GROUP_ID, ExecutorSettings.defaults().groupId());
    }
}
