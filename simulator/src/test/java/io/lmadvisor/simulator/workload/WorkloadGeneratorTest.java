package io.lmadvisor.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Workload;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadGeneratorTest {
    final FleetConfig fleet = FleetConfig.csap();
    final WorkloadGenerator gen = new WorkloadGenerator(fleet);

    @Test
    void sameSeedSameVms() {
        SplittableRandom a = new SplittableRandom(11);
        SplittableRandom b = new SplittableRandom(11);
        for (int i = 0; i < 100; i++) {
            assertEquals(gen.next(a), gen.next(b));
        }
        assertNotEquals(gen.next(new SplittableRandom(1)), gen.next(new SplittableRandom(2)));
    }

    @Test
    void drawsEveryTypeWithinTheFleetsLimits() {
        SplittableRandom rng = new SplittableRandom(3);
        Set<Workload> seen = EnumSet.noneOf(Workload.class);
        for (int i = 0; i < 20_000; i++) {
            GeneratedVm g = gen.next(rng);
            VmSnapshot v = g.vm();
            seen.add(v.workload());
            assertTrue(v.wssMb() <= v.vmSizeMb() && v.wssMb() >= 0);
            assertTrue(v.mwppBytes() >= 1 && v.mwppBytes() <= 4096);
            assertTrue(v.wse() > 0 && v.wse() <= 1 && v.nwse() > 0 && v.nwse() <= 1);
            assertTrue(v.cpuUtilPct() <= 100.0 * v.vcpus());
            assertTrue(g.bandwidthMBps() >= fleet.ptrMinMBps() && g.bandwidthMBps() <= fleet.ptrMaxMBps());
            assertTrue(g.host().srcCpuAvailPct() <= 100.0 * fleet.hostCores());
            assertTrue(g.host().srcMemAvailMb() <= fleet.hostMemMb());
        }
        assertEquals(EnumSet.allOf(Workload.class), seen);
    }

    @Test
    void workloadsDifferTheWayTheDatasetDoes() {
        SplittableRandom rng = new SplittableRandom(5);
        double memcachedPdr = medianPdr(Workload.MEMCACHED, rng);
        double parsecPdr = medianPdr(Workload.PARSEC, rng);
        assertTrue(memcachedPdr > 5 * parsecPdr, memcachedPdr + " vs " + parsecPdr);
    }

    private double medianPdr(Workload w, SplittableRandom rng) {
        double[] v = new double[2001];
        for (int i = 0; i < v.length; i++) {
            v[i] = gen.next(w, rng).vm().pdrMBps();
        }
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    @Test
    void dynamicsArePureFunctionsOfVmSeedAndSecond() {
        GeneratedVm g = gen.next(Workload.DACAPO, new SplittableRandom(9));
        WorkloadDynamics d1 = gen.dynamics(g);
        WorkloadDynamics d2 = gen.dynamics(g);
        WorkloadProfile later = d1.sampleAt(500);
        for (long s = 0; s < 100; s++) {
            assertEquals(d1.sampleAt(s), d2.sampleAt(s));
        }
        assertEquals(later, d2.sampleAt(500));
        Set<WorkloadProfile.Phase> phases = EnumSet.noneOf(WorkloadProfile.Phase.class);
        for (long s = 0; s < 5_000; s++) {
            WorkloadProfile p = d1.sampleAt(s);
            phases.add(p.phase());
            assertTrue(p.pdrMBps() >= 0 && p.wssMb() <= g.vm().vmSizeMb());
        }
        assertEquals(EnumSet.allOf(WorkloadProfile.Phase.class), phases);
    }
}
