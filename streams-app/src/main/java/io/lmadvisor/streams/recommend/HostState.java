package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.HostSample;

/** What the advisor needs of a host: its latest headroom and migration bandwidth. */
public record HostState(
        String hostId,
        double cpuAvailPercent,
        double memAvailMb,
        double migrationLinkAvailMBps,
        double migrationLinkSpeedMBps,
        long sampledAtMs) {
    public static HostState of(HostSample s) {
        return new HostState(
                s.getHostId(),
                s.getCpuAvailPercent(),
                s.getMemAvailMb(),
                s.getMigrationLinkAvailMBps(),
                s.getMigrationLinkSpeedMBps(),
                s.getTimestamp().toEpochMilli());
    }

    /** A host with no sample: headroom unknown (NaN), the link as given. */
    public static HostState unknown(String hostId, double linkMBps) {
        return new HostState(hostId, Double.NaN, Double.NaN, linkMBps, linkMBps, 0);
    }

    /** Whether the host has the memory and CPU the VM uses. */
    public boolean fits(double vmSizeMb, double vmCpuPercent) {
        return memAvailMb >= vmSizeMb && cpuAvailPercent >= vmCpuPercent;
    }

    /** Spare capacity for ranking destinations: the scarcer of CPU and memory, relative to what the VM needs. */
    public double spareCapacityFor(double vmSizeMb, double vmCpuPercent) {
        double memRatio = memAvailMb / Math.max(vmSizeMb, 1.0);
        double cpuRatio = cpuAvailPercent / Math.max(vmCpuPercent, 1.0);
        return Math.min(memRatio, cpuRatio);
    }
}
