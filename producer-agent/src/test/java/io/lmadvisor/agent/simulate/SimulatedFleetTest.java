package io.lmadvisor.agent.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.Pages;
import io.lmadvisor.simulator.workload.WorkloadConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedFleetTest {
    private static final Instant START = Instant.parse("2024-03-01T12:00:00Z");
    private static final int SECONDS = 300;

    private static SimulatedFleet fleet(long seed) {
        return new SimulatedFleet(5, 50, seed, START);
    }

    @Test
    void sameSeedGivesSameSamplesInAnyOrder() {
        SimulatedFleet a = fleet(42);
        SimulatedFleet b = fleet(42);
        // b visits seconds backwards: samples must not depend on call history.
        List<List<VmSample>> bVms = new ArrayList<>();
        for (int s = SECONDS - 1; s >= 0; s -= 7) {
            bVms.add(b.vmSamples(s));
        }
        int i = 0;
        for (int s = SECONDS - 1; s >= 0; s -= 7) {
            assertEquals(a.vmSamples(s), bVms.get(i++), "second " + s);
            assertEquals(a.hostSamples(s), b.hostSamples(s), "second " + s);
        }
    }

    @Test
    void differentSeedsGiveDifferentFleets() {
        assertNotEquals(fleet(1).vmSamples(0), fleet(2).vmSamples(0));
    }

    @Test
    void idsTimestampsAndPlacement() {
        SimulatedFleet f = fleet(7);
        List<VmSample> vms = f.vmSamples(10);
        assertEquals(50, vms.size());
        assertEquals("vm-00000", vms.get(0).getVmId());
        assertEquals("vm-00049", vms.get(49).getVmId());
        assertEquals(START.plusSeconds(10), vms.get(0).getTimestamp());
        Map<String, Integer> perHost = new HashMap<>();
        for (VmSample v : vms) {
            perHost.merge(v.getHostId(), 1, Integer::sum);
            assertEquals(SimulatedFleet.SOURCE, v.getSource());
        }
        assertEquals(Map.of("host-000", 10, "host-001", 10, "host-002", 10, "host-003", 10, "host-004", 10), perHost);
        List<HostSample> hosts = f.hostSamples(10);
        assertEquals(
                List.of("host-000", "host-001", "host-002", "host-003", "host-004"),
                hosts.stream().map(HostSample::getHostId).toList());
        assertEquals(125.0, hosts.get(0).getMigrationLinkSpeedMBps());
    }

    @Test
    void everySamplePassesPlausibilityRules() {
        SimulatedFleet f = fleet(3);
        for (int s = 0; s < SECONDS; s++) {
            Map<String, Double> vmCpuByHost = new HashMap<>();
            Map<String, Double> vmMemByHost = new HashMap<>();
            List<HostSample> hosts = new ArrayList<>();
            f.forEachSample(
                    s,
                    v -> {
                        assertPlausible(v);
                        vmCpuByHost.merge(v.getHostId(), v.getCpuUtilPercent(), Double::sum);
                        vmMemByHost.merge(v.getHostId(), v.getVmSizeMb(), Double::sum);
                    },
                    hosts::add);
            assertEquals(5, hosts.size());
            for (HostSample h : hosts) {
                assertPlausible(h);
                // Hosts account for the VMs they carry.
                double maxCpu = 100.0 * h.getCpuCores();
                assertTrue(
                        h.getCpuAvailPercent() <= Math.max(0, maxCpu - vmCpuByHost.get(h.getHostId())) + 1e-9,
                        h.toString());
                assertTrue(
                        h.getMemAvailMb() <= Math.max(0, h.getMemTotalMb() - vmMemByHost.get(h.getHostId())) + 1,
                        h.toString());
            }
        }
    }

    @Test
    void allNineWorkloadTypesAppear() {
        SimulatedFleet f = fleet(11);
        Set<Workload> seen = EnumSet.noneOf(Workload.class);
        for (int i = 0; i < f.vmCount(); i++) {
            seen.add(f.workloadOf(i));
        }
        assertEquals(EnumSet.allOf(Workload.class), seen);
    }

    @Test
    void dirtyRateVariesBeyondJitterOverTime() {
        SimulatedFleet f = fleet(5);
        int vms = f.vmCount();
        double[] min = new double[vms];
        double[] max = new double[vms];
        java.util.Arrays.fill(min, Double.MAX_VALUE);
        for (int s = 0; s < 600; s++) {
            List<VmSample> samples = f.vmSamples(s);
            for (int i = 0; i < vms; i++) {
                double pdr = samples.get(i).getDirtiedPagesPerSec();
                min[i] = Math.min(min[i], pdr);
                max[i] = Math.max(max[i], pdr);
            }
        }
        // +-15% jitter alone gives at most 1.15/0.85 = 1.35x; more means phase changes (burst/idle).
        Set<Workload> varying = EnumSet.noneOf(Workload.class);
        int varyingVms = 0;
        for (int i = 0; i < vms; i++) {
            if (max[i] > 1.5 * min[i]) {
                varying.add(f.workloadOf(i));
                varyingVms++;
            }
        }
        assertTrue(varyingVms > vms / 2, "only " + varyingVms + " of " + vms + " VMs change phase");
        Set<Workload> active = EnumSet.complementOf(EnumSet.of(Workload.IDLE));
        assertEquals(active, varying);
    }

    @Test
    void unitsArePagesAndMb() {
        SimulatedFleet f = fleet(9);
        // Drawn rates are capped at 1.2x the link; bursts and +15% jitter may lift them above it.
        double maxBurst = f.config().workloads().values().stream()
                .mapToDouble(WorkloadConfig::burstFactor)
                .max()
                .orElseThrow();
        double maxPdrMBps = 1.2 * f.config().linkMBps() * maxBurst * 1.15;
        for (VmSample v : f.vmSamples(100)) {
            double sizePages = Pages.fromMb(v.getVmSizeMb());
            assertTrue(v.getWorkingSetPages() <= Math.round(sizePages), v.toString());
            assertTrue(v.getMemorySizeMb() >= v.getVmSizeMb(), v.toString());
            assertTrue(Pages.toMb(v.getDirtiedPagesPerSec()) <= maxPdrMBps, v.toString());
        }
    }

    @Test
    void simpleFleetAdapterKeepsItsApi() {
        SimpleFleet simple = new SimpleFleet(3, 20, 4);
        Instant at = Instant.parse("2024-03-01T12:00:05Z");
        List<VmSample> vms = simple.vmSamples(at);
        assertEquals(20, vms.size());
        assertEquals(3, simple.hostCount());
        assertEquals("host-002", SimpleFleet.hostId(2));
        assertEquals(at, vms.get(0).getTimestamp());
        assertEquals(vms, new SimpleFleet(3, 20, 4).vmSamples(at));
        List<HostSample> hosts = simple.hostSamples(at);
        assertEquals(3, hosts.size());
        hosts.forEach(SimulatedFleetTest::assertPlausible);
        vms.forEach(SimulatedFleetTest::assertPlausible);
    }

    /** The streams app's RecordValidator rules for samples. */
    static void assertPlausible(VmSample v) {
        String s = v.toString();
        assertTrue(!v.getVmId().isBlank() && !v.getHostId().isBlank(), s);
        assertFiniteIn(v.getVmSizeMb(), 0, 16.0 * 1024 * 1024, s);
        assertFiniteIn(v.getDirtiedPagesPerSec(), 0, 3.2e6, s);
        assertFiniteIn(v.getCpuUtilPercent(), 0, 100.0 * 1024, s);
        assertTrue(v.getWorkingSetPages() >= 0, s);
        assertFiniteIn(v.getChangedPageEntropy(), 0, 1, s);
        assertFiniteIn(v.getUnchangedPageEntropy(), 0, 1, s);
        assertFiniteIn(v.getModifiedBytesPerPage(), 0, 4096, s);
        if (v.getInstructionsPerSec() != null) {
            assertFiniteIn(v.getInstructionsPerSec(), 0, Double.MAX_VALUE, s);
            assertTrue(v.getInstructionsPerSec() > 0, "instructions must be null, never 0: " + s);
        }
        assertFiniteIn(v.getNetUtilMBps(), 0, 100_000, s);
        // Every simulated VM has a vCPU count, and its CPU use fits in it.
        assertTrue(v.getVcpus() != null && v.getVcpus() >= 1, s);
        assertTrue(v.getCpuUtilPercent() <= 100.0 * v.getVcpus() + 1e-9, s);
    }

    static void assertPlausible(HostSample h) {
        String s = h.toString();
        assertTrue(h.getCpuCores() >= 1, s);
        assertFiniteIn(h.getCpuAvailPercent(), 0, 100.0 * h.getCpuCores(), s);
        assertTrue(h.getMemAvailMb() >= 0 && h.getMemAvailMb() <= h.getMemTotalMb(), s);
        assertFiniteIn(h.getMigrationLinkSpeedMBps(), 0, 100_000, s);
        assertFiniteIn(h.getMigrationLinkAvailMBps(), 0, h.getMigrationLinkSpeedMBps(), s);
        assertFiniteIn(h.getNetUsedMBps(), 0, h.getMigrationLinkSpeedMBps(), s);
    }

    private static void assertFiniteIn(double v, double lo, double hi, String what) {
        assertTrue(Double.isFinite(v) && v >= lo && v <= hi, v + " outside " + lo + ".." + hi + ": " + what);
    }
}
