package io.lmadvisor.simulator.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Workload;
import io.lmadvisor.simulator.workload.HostLoad;
import io.lmadvisor.simulator.workload.VmSnapshot;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MigrationSimulatorTest {
    static final double MB = 1024.0 * 1024.0;
    final MigrationSimulator sim = new MigrationSimulator();
    final Mechanics m = sim.mechanics();
    final HostLoad idleHosts = new HostLoad(300, 300, 8000, 8000);

    /** 1 GiB VM, 2 vCPUs; entropy 0.5, MWPP 1000 unless a test changes them. */
    static VmSnapshot vm(double pdrMBps, double wssMb, double cpuPct) {
        return new VmSnapshot(Workload.SYNTHETIC, 1024, pdrMBps, wssMb, 0.5, 0.5, 1000, 1e9, cpuPct, 0, 2);
    }

    @Test
    void precopyConvergesWhenDirtyRateIsWellBelowBandwidth() {
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome o = sim.simulate(Algorithm.PRECOPY, vm(5, 200, 50), idleHosts, s);
        assertTrue(o.converged(), o.toString());
        double rate = m.effectiveRateMBps(100);
        // One full pass plus a few small rounds.
        assertTrue(o.transferredBytes >= 1024 * MB && o.transferredBytes < 1.15 * 1024 * MB, o.toString());
        assertTrue(o.rounds >= 2 && o.rounds < 10, o.toString());
        // What is left for stop-and-copy fits the limit at the measured rate.
        assertTrue(o.downtimeMs <= m.precopyDowntimeBaseMs() + s.downtimeLimitMs(), o.toString());
        assertEquals(o.transferredBytes / MB / rate * 1000, o.totalTimeMs, 0.05 * o.totalTimeMs);
    }

    @Test
    void precopyDoesNotConvergeWhenDirtyRateExceedsBandwidth() {
        MigrationSettings s = MigrationSettings.defaults(50).withTimeoutMs(60_000);
        MigrationOutcome o = sim.simulate(Algorithm.PRECOPY, vm(200, 1024, 50), idleHosts, s);
        assertEquals(MigrationStatus.NON_CONVERGED, o.status);
        assertTrue(o.totalTimeMs >= 60_000, o.toString());
        // Forced switchover: the whole hot set goes during downtime.
        assertTrue(o.downtimeMs > 10 * s.downtimeLimitMs(), o.toString());
        assertTrue(o.transferredBytes > 2 * 1024 * MB, o.toString());
    }

    @Test
    void moreBandwidthNeverMakesPrecopySlowerOrBigger() {
        VmSnapshot v = vm(40, 400, 100);
        MigrationOutcome slow = sim.simulate(Algorithm.PRECOPY, v, idleHosts, MigrationSettings.defaults(60));
        MigrationOutcome fast = sim.simulate(Algorithm.PRECOPY, v, idleHosts, MigrationSettings.defaults(100));
        assertTrue(fast.totalTimeMs < slow.totalTimeMs);
        assertTrue(fast.transferredBytes <= slow.transferredBytes);
    }

    @Test
    void autoConvergeHelpsCpuBoundDirtying() {
        VmSnapshot cpuBound = vm(105, 700, 200);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, cpuBound, idleHosts, s);
        MigrationOutcome thr = sim.simulate(Algorithm.AUTO_CONVERGE, cpuBound, idleHosts, s);
        assertTrue(thr.maxThrottlePct >= s.autoConvergeInitialPct(), thr.toString());
        assertTrue(thr.totalTimeMs < 0.7 * pre.totalTimeMs, pre + " vs " + thr);
        assertTrue(thr.transferredBytes < 0.7 * pre.transferredBytes, pre + " vs " + thr);
        // Throttled vCPUs cost the guest performance.
        assertTrue(thr.perfDegradation > pre.perfDegradation + 0.05, pre + " vs " + thr);
    }

    @Test
    void autoConvergeDoesNotSlowALowCpuMemoryWriter() {
        VmSnapshot writer = vm(105, 700, 4);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, writer, idleHosts, s);
        MigrationOutcome thr = sim.simulate(Algorithm.AUTO_CONVERGE, writer, idleHosts, s);
        assertTrue(thr.maxThrottlePct > 0, "QEMU still throttles: " + thr);
        assertEquals(pre.totalTimeMs, thr.totalTimeMs, 0.05 * pre.totalTimeMs);
        assertEquals(pre.transferredBytes, thr.transferredBytes, 0.05 * pre.transferredBytes);
    }

    @Test
    void postcopyDowntimeIsTinyAndEachPageGoesAboutOnce() {
        VmSnapshot busy = vm(80, 500, 150);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome post = sim.simulate(Algorithm.POSTCOPY, busy, idleHosts, s);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, busy, idleHosts, s);
        assertTrue(post.downtimeMs < 10, post.toString());
        assertTrue(post.downtimeMs < pre.downtimeMs / 10);
        assertTrue(post.transferredBytes < 1.05 * 1024 * MB, post.toString());
        // Remote faults cost the guest.
        assertTrue(post.perfDegradation > 0, post.toString());
    }

    @Test
    void postcopySwitchesWhereTheEmittedSettingsSwitch() {
        assertEquals(
                io.lmadvisor.model.analytic.PostcopySwitch.FIRST_PASS_FRACTION,
                Mechanics.csap().postcopySwitchFraction());
        // Switching only after a whole first pass (what the settings used to ask for) re-sends the pages
        // dirtied meanwhile: at a high dirty rate that is much slower than the early switch the model knows.
        VmSnapshot busy = vm(100, 800, 150);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome early = sim.simulate(Algorithm.POSTCOPY, busy, idleHosts, s);
        MigrationOutcome late = new MigrationSimulator(m.withPostcopySwitchFraction(1.0))
                .simulate(Algorithm.POSTCOPY, busy, idleHosts, s);
        assertTrue(late.totalTimeMs > 1.4 * early.totalTimeMs, early + " vs " + late);
        assertTrue(early.transferredBytes < 1.02 * 1024 * MB, early.toString());
    }

    @Test
    void xbzrleBeatsPrecopyWhenFewBytesChangePerPage() {
        // Hot set larger than what fits the downtime, smaller than the cache: re-sent many times.
        VmSnapshot hot = vm(100, 200, 150).withMwpp(64);
        MigrationSettings s = MigrationSettings.defaults(100).withXbzrleCacheMb(256);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, hot, idleHosts, s);
        MigrationOutcome xbz = sim.simulate(Algorithm.XBZRLE, hot, idleHosts, s);
        assertTrue(xbz.transferredBytes < 0.8 * pre.transferredBytes, pre + " vs " + xbz);
        assertTrue(xbz.totalTimeMs < 0.8 * pre.totalTimeMs, pre + " vs " + xbz);
        assertTrue(xbz.downtimeMs < pre.downtimeMs, pre + " vs " + xbz);
        // The cache and encoding are paid for on the source.
        assertTrue(xbz.srcMemMb > pre.srcMemMb && xbz.srcCpuPct > pre.srcCpuPct);
    }

    @Test
    void xbzrleDoesNotHelpWhenMostOfEachPageChanges() {
        VmSnapshot hot = vm(100, 200, 150).withMwpp(3900);
        MigrationSettings s = MigrationSettings.defaults(100).withXbzrleCacheMb(256);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, hot, idleHosts, s);
        MigrationOutcome xbz = sim.simulate(Algorithm.XBZRLE, hot, idleHosts, s);
        assertTrue(xbz.transferredBytes >= 0.99 * pre.transferredBytes, pre + " vs " + xbz);
    }

    @Test
    void xbzrleCacheSmallerThanTheWorkingSetHelpsLess() {
        VmSnapshot hot = vm(80, 400, 150).withMwpp(64);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome small = sim.simulate(Algorithm.XBZRLE, hot, idleHosts, s.withXbzrleCacheMb(16));
        MigrationOutcome big = sim.simulate(Algorithm.XBZRLE, hot, idleHosts, s.withXbzrleCacheMb(512));
        assertTrue(big.transferredBytes < small.transferredBytes);
    }

    @Test
    void compressionShrinksLowEntropyMemoryWhenCpuIsAvailable() {
        VmSnapshot lowEntropy = vm(5, 100, 50).withEntropy(0.1, 0.1);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, lowEntropy, idleHosts, s);
        for (CompressionMode mode : CompressionMode.values()) {
            MigrationOutcome comp = sim.simulate(Algorithm.COMPRESS, lowEntropy, idleHosts, s.withCompression(mode, 4));
            assertTrue(comp.transferredBytes < 0.3 * pre.transferredBytes, mode + ": " + comp);
            assertTrue(comp.srcCpuPct > pre.srcCpuPct, mode + ": " + comp);
        }
        // Multifd+zstd is fast enough to also finish sooner than plain pre-copy.
        MigrationOutcome zstd = sim.simulate(
                Algorithm.COMPRESS, lowEntropy, idleHosts, s.withCompression(CompressionMode.MULTIFD_ZSTD, 4));
        assertTrue(zstd.totalTimeMs < 0.5 * pre.totalTimeMs, pre + " vs " + zstd);
    }

    @Test
    void compressionDoesNotShrinkRandomMemory() {
        VmSnapshot random = vm(5, 100, 50).withEntropy(1.0, 1.0);
        MigrationSettings s = MigrationSettings.defaults(100).withCompression(CompressionMode.MULTIFD_ZSTD, 4);
        MigrationOutcome pre = sim.simulate(Algorithm.PRECOPY, random, idleHosts, s);
        MigrationOutcome comp = sim.simulate(Algorithm.COMPRESS, random, idleHosts, s);
        assertTrue(comp.transferredBytes > 0.95 * pre.transferredBytes, comp.toString());
    }

    @Test
    void compressionThroughputIsBoundedByThreads() {
        VmSnapshot v = vm(5, 100, 50).withEntropy(0.3, 0.3);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome one =
                sim.simulate(Algorithm.COMPRESS, v, idleHosts, s.withCompression(CompressionMode.MULTIFD_ZSTD, 1));
        MigrationOutcome four =
                sim.simulate(Algorithm.COMPRESS, v, idleHosts, s.withCompression(CompressionMode.MULTIFD_ZSTD, 4));
        assertTrue(four.totalTimeMs <= one.totalTimeMs);
        MigrationOutcome zlib1 =
                sim.simulate(Algorithm.COMPRESS, v, idleHosts, s.withCompression(CompressionMode.ZLIB_THREADS, 1));
        assertTrue(zlib1.totalTimeMs > 2 * four.totalTimeMs, zlib1 + " vs " + four);
    }

    @Test
    void noiseIsDeterministicPerSeedAndKeepsOutcomesPlausible() {
        VmSnapshot v = vm(30, 300, 100);
        MigrationSettings s = MigrationSettings.defaults(100);
        MigrationOutcome clean = sim.simulate(Algorithm.PRECOPY, v, idleHosts, s);
        MigrationOutcome a = sim.simulate(Algorithm.PRECOPY, v, idleHosts, s);
        MigrationOutcome b = sim.simulate(Algorithm.PRECOPY, v, idleHosts, s);
        MeasurementNoise.csap().apply(a, new SplittableRandom(7));
        MeasurementNoise.csap().apply(b, new SplittableRandom(7));
        assertEquals(a.totalTimeMs, b.totalTimeMs);
        assertEquals(a.transferredBytes, b.transferredBytes);
        assertFalse(a.totalTimeMs == clean.totalTimeMs);
        assertEquals(clean.transferredBytes, a.transferredBytes, 0.1 * clean.transferredBytes);
        assertTrue(a.totalTimeMs >= a.downtimeMs);
    }

    @Test
    void effectiveRateFollowsTheLimitThenTheLink() {
        assertEquals(60 * m.rateLimitAccuracy(), m.effectiveRateMBps(60), 0.5);
        assertTrue(m.effectiveRateMBps(150) <= m.linkUsableMBps());
        assertTrue(m.effectiveRateMBps(150) > m.effectiveRateMBps(120));
    }
}
