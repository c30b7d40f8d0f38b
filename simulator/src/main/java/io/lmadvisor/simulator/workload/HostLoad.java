package io.lmadvisor.simulator.workload;

/**
 * Idle resources on the two hosts at migration time (CSAP units: CPU percent across all cores).
 */
public record HostLoad(double srcCpuAvailPct, double dstCpuAvailPct, double srcMemAvailMb, double dstMemAvailMb) {
    public HostLoad {
        if (!(srcCpuAvailPct >= 0) || !(dstCpuAvailPct >= 0) || !(srcMemAvailMb >= 0) || !(dstMemAvailMb >= 0)) {
            throw new IllegalArgumentException("host availability must be non-negative");
        }
    }

    /** Source cores free for compression threads. */
    public double srcFreeCores() {
        return srcCpuAvailPct / 100.0;
    }
}
