package io.lmadvisor.simulator.workload;

/**
 * A VM's behaviour during one second: what an agent would sample.
 *
 * @param phase what the workload is doing in this second
 */
public record WorkloadProfile(
        long second,
        Phase phase,
        double pdrMBps,
        double wssMb,
        double mwppBytes,
        double cpuUtilPct,
        double netUtilMBps,
        double pmuInstrPerS) {
    public enum Phase {
        STEADY,
        BURST,
        IDLE
    }
}
