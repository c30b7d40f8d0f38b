package io.lmadvisor.simulator.workload;

import io.lmadvisor.model.Workload;

/**
 * How one workload type's VMs are drawn: log-normal VM size and active dirty rate, the chance the
 * profiling window caught an idle phase, spreads around the {@link WorkloadTraits}, and the
 * time-varying dynamics used by {@link WorkloadDynamics}.
 *
 * @param sizeMedianMb     median VM size
 * @param sizeSigma        log-normal sigma of VM size
 * @param sizeMaxMb        VM size cap (memory given to the VM)
 * @param pdrMedianMBps    median dirty rate while active
 * @param pdrSigma         log-normal sigma of the active dirty rate
 * @param idleShare        probability a profile sees an idle phase (dirty rate ~0.3 MB/s)
 * @param traitSpread      relative spread (log-normal sigma) of WSS, MWPP, CPU and network
 * @param entropySpread    absolute spread of the entropies
 * @param phasePeriodS     length of a dynamics phase (seconds)
 * @param burstProbability chance a phase is a burst
 * @param burstFactor      dirty-rate multiplier in a burst
 * @param idleProbability  chance a phase is idle
 */
public record WorkloadConfig(
        Workload workload,
        WorkloadTraits traits,
        double sizeMedianMb,
        double sizeSigma,
        double sizeMaxMb,
        double pdrMedianMBps,
        double pdrSigma,
        double idleShare,
        double traitSpread,
        double entropySpread,
        double phasePeriodS,
        double burstProbability,
        double burstFactor,
        double idleProbability) {
    /** Dirty rate of an idle guest (timers, page cache). */
    public static final double IDLE_PDR_MBPS = 0.3;

    public WorkloadConfig withTraits(WorkloadTraits t) {
        return new WorkloadConfig(
                workload,
                t,
                sizeMedianMb,
                sizeSigma,
                sizeMaxMb,
                pdrMedianMBps,
                pdrSigma,
                idleShare,
                traitSpread,
                entropySpread,
                phasePeriodS,
                burstProbability,
                burstFactor,
                idleProbability);
    }
}
