package io.lmadvisor.simulator.workload;

import io.lmadvisor.model.Workload;

/**
 * A VM as profiled just before migration, in CSAP units.
 *
 * @param vmSizeMb      non-zero mapped guest memory
 * @param pdrMBps       page dirty rate
 * @param wssMb         working set (memory written within the profiling window)
 * @param wse           byte entropy of the working set, 0..1
 * @param nwse          byte entropy of the rest, 0..1
 * @param mwppBytes     bytes modified per dirtied page, 0..4096
 * @param pmuInstrPerS  instructions retired per second
 * @param cpuUtilPct    VM CPU utilisation, percent of one core
 * @param netUtilMBps   VM network traffic
 * @param vcpus         virtual CPUs
 */
public record VmSnapshot(
        Workload workload,
        double vmSizeMb,
        double pdrMBps,
        double wssMb,
        double wse,
        double nwse,
        double mwppBytes,
        double pmuInstrPerS,
        double cpuUtilPct,
        double netUtilMBps,
        int vcpus) {
    public VmSnapshot {
        if (!(vmSizeMb > 0) || !(pdrMBps >= 0) || !(wssMb >= 0) || vcpus < 1) {
            throw new IllegalArgumentException("VM size must be positive, dirty rate and WSS non-negative, vcpus >= 1");
        }
    }

    /** Share of the VM's CPU capacity in use: how much throttling the vCPUs slows its dirtying. */
    public double cpuBoundFraction() {
        return Math.min(1.0, Math.max(0.0, cpuUtilPct / (100.0 * vcpus)));
    }

    public VmSnapshot withPdr(double mbps) {
        return new VmSnapshot(
                workload, vmSizeMb, mbps, wssMb, wse, nwse, mwppBytes, pmuInstrPerS, cpuUtilPct, netUtilMBps, vcpus);
    }

    public VmSnapshot withMwpp(double bytes) {
        return new VmSnapshot(
                workload, vmSizeMb, pdrMBps, wssMb, wse, nwse, bytes, pmuInstrPerS, cpuUtilPct, netUtilMBps, vcpus);
    }

    public VmSnapshot withCpuUtilPct(double pct) {
        return new VmSnapshot(
                workload, vmSizeMb, pdrMBps, wssMb, wse, nwse, mwppBytes, pmuInstrPerS, pct, netUtilMBps, vcpus);
    }

    public VmSnapshot withEntropy(double wse, double nwse) {
        return new VmSnapshot(
                workload, vmSizeMb, pdrMBps, wssMb, wse, nwse, mwppBytes, pmuInstrPerS, cpuUtilPct, netUtilMBps, vcpus);
    }

    public VmSnapshot withWssMb(double mb) {
        return new VmSnapshot(
                workload, vmSizeMb, pdrMBps, mb, wse, nwse, mwppBytes, pmuInstrPerS, cpuUtilPct, netUtilMBps, vcpus);
    }
}
