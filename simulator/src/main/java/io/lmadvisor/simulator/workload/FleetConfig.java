package io.lmadvisor.simulator.workload;

import io.lmadvisor.model.Workload;
import io.lmadvisor.simulator.migration.MigrationSettings;
import java.util.EnumMap;
import java.util.Map;

/**
 * The simulated data centre: hosts, migration link, bandwidth settings and workload mix.
 *
 * @param hostCores          cores per host (CPU availability is percent across cores, max 100·cores)
 * @param hostMemMb          memory per host
 * @param linkMBps           migration link (1 GbE = 125 MB/s)
 * @param ptrMinMBps         lowest max-bandwidth drawn
 * @param ptrMaxMBps         highest max-bandwidth drawn
 * @param maxBackgroundCores busiest the other tenants make a host, in cores
 * @param workloadWeights    relative frequency of each workload type
 * @param workloads          per-type distributions
 * @param settings           migration parameters other than the bandwidth
 */
public record FleetConfig(
        int hostCores,
        double hostMemMb,
        double linkMBps,
        double ptrMinMBps,
        double ptrMaxMBps,
        double maxBackgroundCores,
        Map<Workload, Double> workloadWeights,
        Map<Workload, WorkloadConfig> workloads,
        MigrationSettings settings) {
    public FleetConfig {
        if (hostCores < 1 || !(hostMemMb > 0) || !(linkMBps > 0) || !(ptrMinMBps > 0) || ptrMaxMBps < ptrMinMBps) {
            throw new IllegalArgumentException(
                    "invalid fleet: cores, memory, link and bandwidth range must be positive");
        }
        workloadWeights = Map.copyOf(new EnumMap<>(workloadWeights));
        workloads = Map.copyOf(new EnumMap<>(workloads));
        for (Workload w : workloadWeights.keySet()) {
            if (!workloads.containsKey(w)) {
                throw new IllegalArgumentException("no WorkloadConfig for weighted workload " + w);
            }
        }
    }

    /** The CSAP testbed: 4-core 16 GB hosts, 1 GbE, PTR 50–150 MB/s, the subset's workload mix. */
    public static FleetConfig csap() {
        Map<Workload, Double> weights = new EnumMap<>(Workload.class);
        // Row counts of the public subset; idle is rare there but kept visible.
        weights.put(Workload.IDLE, 50.0);
        weights.put(Workload.SYNTHETIC, 4938.0);
        weights.put(Workload.SPECWEB, 324.0);
        weights.put(Workload.OLTP, 1996.0);
        weights.put(Workload.MEMCACHED, 927.0);
        weights.put(Workload.DACAPO, 3430.0);
        weights.put(Workload.PARSEC, 3150.0);
        weights.put(Workload.BZIP, 1605.0);
        weights.put(Workload.MPLAYER, 2037.0);
        return new FleetConfig(
                4, 16384, 125, 50, 150, 2.0, weights, WorkloadCatalog.csap(), MigrationSettings.defaults(100));
    }

    public FleetConfig withHosts(int cores, double memMb) {
        return new FleetConfig(
                cores,
                memMb,
                linkMBps,
                ptrMinMBps,
                ptrMaxMBps,
                maxBackgroundCores,
                workloadWeights,
                workloads,
                settings);
    }

    public FleetConfig withLink(double linkMBps, double ptrMinMBps, double ptrMaxMBps) {
        return new FleetConfig(
                hostCores,
                hostMemMb,
                linkMBps,
                ptrMinMBps,
                ptrMaxMBps,
                maxBackgroundCores,
                workloadWeights,
                workloads,
                settings);
    }

    public FleetConfig withSettings(MigrationSettings s) {
        return new FleetConfig(
                hostCores,
                hostMemMb,
                linkMBps,
                ptrMinMBps,
                ptrMaxMBps,
                maxBackgroundCores,
                workloadWeights,
                workloads,
                s);
    }

    public FleetConfig withWorkloads(Map<Workload, WorkloadConfig> w) {
        return new FleetConfig(
                hostCores,
                hostMemMb,
                linkMBps,
                ptrMinMBps,
                ptrMaxMBps,
                maxBackgroundCores,
                workloadWeights,
                w,
                settings);
    }
}
