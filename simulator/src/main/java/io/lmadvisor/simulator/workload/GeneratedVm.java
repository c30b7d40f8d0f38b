package io.lmadvisor.simulator.workload;

/**
 * One drawn VM with its hosts and the bandwidth chosen for its migration.
 *
 * @param vmSeed seed of this VM's {@link WorkloadDynamics}
 */
public record GeneratedVm(VmSnapshot vm, HostLoad host, double bandwidthMBps, long vmSeed) {}
