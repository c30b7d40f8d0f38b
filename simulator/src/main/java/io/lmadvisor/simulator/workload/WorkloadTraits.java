package io.lmadvisor.simulator.workload;

import io.lmadvisor.model.Workload;

/**
 * A workload type's typical values of the features the public CSAP subset does not record. The
 * what-if fills unknown features from these; the generator draws around them.
 *
 * @param wssFraction working set as a share of VM size, before the dirty-rate term
 * @param wssWindowS  seconds of dirtying that add to the working set: WSS = min(size, fraction·size + PDR·window)
 * @param wse         working-set byte entropy, 0..1
 * @param nwse        non-working-set byte entropy, 0..1
 * @param mwppBytes   bytes modified per dirtied page
 * @param cpuUtilPct  VM CPU utilisation, percent of one core
 * @param vcpus       virtual CPUs
 * @param netUtilMBps VM network traffic
 * @param pmuInstrPerS instructions retired per second
 */
public record WorkloadTraits(
        double wssFraction,
        double wssWindowS,
        double wse,
        double nwse,
        double mwppBytes,
        double cpuUtilPct,
        int vcpus,
        double netUtilMBps,
        double pmuInstrPerS) {

    public double wssMb(double vmSizeMb, double pdrMBps) {
        return Math.min(vmSizeMb, wssFraction * vmSizeMb + pdrMBps * wssWindowS);
    }

    /** A snapshot with these typical values for the known size and dirty rate. */
    public VmSnapshot snapshot(Workload workload, double vmSizeMb, double pdrMBps) {
        return new VmSnapshot(
                workload,
                vmSizeMb,
                pdrMBps,
                wssMb(vmSizeMb, pdrMBps),
                wse,
                nwse,
                mwppBytes,
                pmuInstrPerS,
                cpuUtilPct,
                netUtilMBps,
                vcpus);
    }

    public WorkloadTraits withWss(double fraction, double windowS) {
        return new WorkloadTraits(
                fraction, windowS, wse, nwse, mwppBytes, cpuUtilPct, vcpus, netUtilMBps, pmuInstrPerS);
    }

    public WorkloadTraits withEntropy(double wse, double nwse) {
        return new WorkloadTraits(
                wssFraction, wssWindowS, wse, nwse, mwppBytes, cpuUtilPct, vcpus, netUtilMBps, pmuInstrPerS);
    }

    public WorkloadTraits withMwpp(double bytes) {
        return new WorkloadTraits(
                wssFraction, wssWindowS, wse, nwse, bytes, cpuUtilPct, vcpus, netUtilMBps, pmuInstrPerS);
    }

    public WorkloadTraits withCpuUtilPct(double pct) {
        return new WorkloadTraits(wssFraction, wssWindowS, wse, nwse, mwppBytes, pct, vcpus, netUtilMBps, pmuInstrPerS);
    }
}
