package io.lmadvisor.simulator.workload;

import io.lmadvisor.model.Workload;
import java.util.SplittableRandom;

/** Draws VMs, host loads and migration bandwidths from a {@link FleetConfig}. Thread-safe. */
public final class WorkloadGenerator {
    private final FleetConfig fleet;
    private final Workload[] types;
    private final double[] cumulative;

    public WorkloadGenerator(FleetConfig fleet) {
        this.fleet = fleet;
        types = fleet.workloadWeights().keySet().stream().sorted().toArray(Workload[]::new);
        cumulative = new double[types.length];
        double sum = 0;
        for (int i = 0; i < types.length; i++) {
            sum += Math.max(0, fleet.workloadWeights().get(types[i]));
            cumulative[i] = sum;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("workload weights must sum to a positive number");
        }
    }

    public FleetConfig fleet() {
        return fleet;
    }

    public Workload drawWorkload(SplittableRandom rng) {
        double u = rng.nextDouble() * cumulative[cumulative.length - 1];
        for (int i = 0; i < types.length; i++) {
            if (u < cumulative[i]) {
                return types[i];
            }
        }
        return types[types.length - 1];
    }

    public GeneratedVm next(SplittableRandom rng) {
        return next(drawWorkload(rng), rng);
    }

    public GeneratedVm next(Workload workload, SplittableRandom rng) {
        WorkloadConfig c = fleet.workloads().get(workload);
        WorkloadTraits t = c.traits();
        long vmSeed = rng.nextLong();
        double size = clamp(c.sizeMedianMb() * Math.exp(c.sizeSigma() * rng.nextGaussian()), 64, c.sizeMaxMb());
        double pdr = rng.nextDouble() < c.idleShare()
                ? WorkloadConfig.IDLE_PDR_MBPS * Math.exp(0.5 * rng.nextGaussian())
                : c.pdrMedianMBps() * Math.exp(c.pdrSigma() * rng.nextGaussian());
        pdr = Math.min(pdr, 1.2 * fleet.linkMBps());
        double s = c.traitSpread();
        double wss = Math.min(size, t.wssMb(size, pdr) * Math.exp(s * rng.nextGaussian()));
        double wse = clamp(t.wse() + c.entropySpread() * rng.nextGaussian(), 0.01, 1);
        double nwse = clamp(t.nwse() + c.entropySpread() * rng.nextGaussian(), 0.01, 1);
        double mwpp = clamp(t.mwppBytes() * Math.exp(s * rng.nextGaussian()), 1, 4096);
        double cpu = clamp(t.cpuUtilPct() * Math.exp(s * rng.nextGaussian()), 0.5, 100.0 * t.vcpus());
        double net = t.netUtilMBps() * Math.exp(s * rng.nextGaussian());
        double pmu = t.pmuInstrPerS() * Math.exp(s * rng.nextGaussian());
        VmSnapshot vm = new VmSnapshot(workload, size, pdr, wss, wse, nwse, mwpp, pmu, cpu, net, t.vcpus());

        double maxCpu = 100.0 * fleet.hostCores();
        double srcBusy = cpu + 100.0 * fleet.maxBackgroundCores() * rng.nextDouble();
        double dstBusy = 100.0 * fleet.maxBackgroundCores() * rng.nextDouble();
        double srcMem = fleet.hostMemMb() - size - 0.5 * fleet.hostMemMb() * rng.nextDouble();
        double dstMem = fleet.hostMemMb() - 0.5 * fleet.hostMemMb() * rng.nextDouble();
        HostLoad host = new HostLoad(
                clamp(maxCpu - srcBusy, 0, maxCpu),
                clamp(maxCpu - dstBusy, 0, maxCpu),
                Math.max(0, srcMem),
                Math.max(0, dstMem));
        // Whole MB/s like the dataset's settings.
        double ptr = Math.rint(fleet.ptrMinMBps() + (fleet.ptrMaxMBps() - fleet.ptrMinMBps()) * rng.nextDouble());
        return new GeneratedVm(vm, host, ptr, vmSeed);
    }

    public WorkloadDynamics dynamics(GeneratedVm vm) {
        return new WorkloadDynamics(fleet.workloads().get(vm.vm().workload()), vm.vm(), vm.vmSeed());
    }

    static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
