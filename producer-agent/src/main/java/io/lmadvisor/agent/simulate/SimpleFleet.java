package io.lmadvisor.agent.simulate;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.simulator.workload.FleetConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's fleet API over {@link SimulatedFleet}: H CSAP-like hosts (4 cores, 16 GB, 1 GbE
 * migration link) and V VMs spread round-robin; with more than two VMs per host the hosts are
 * sized for them (see {@link #configFor}). Samples depend only on (seed, whole epoch second
 * of {@code at}), so VM and host samples of the same instant agree and replays repeat.
 */
public final class SimpleFleet {
    private final SimulatedFleet fleet;

    public SimpleFleet(int hosts, int vmCount, long seed) {
        fleet = new SimulatedFleet(configFor(hosts, vmCount), hosts, vmCount, seed, Instant.EPOCH);
    }

    /**
     * A CSAP host (4 cores) holds two of its 2-vCPU VMs at most, so a fleet such as 50 VMs on 8
     * hosts would leave no host with room for a migration. Denser fleets get hosts with 2 cores
     * per VM plus 2 for the background load, and 4 GB per VM (at least 16 GB).
     */
    static FleetConfig configFor(int hosts, int vmCount) {
        FleetConfig csap = FleetConfig.csap();
        int perHost = hosts < 1 ? 1 : (vmCount + hosts - 1) / hosts;
        if (perHost <= 2) {
            return csap;
        }
        return csap.withHosts(
                2 * perHost + (int) Math.ceil(csap.maxBackgroundCores()), Math.max(csap.hostMemMb(), 4096.0 * perHost));
    }

    public static String hostId(int index) {
        return SimulatedFleet.hostId(index);
    }

    public int hostCount() {
        return fleet.hostCount();
    }

    public List<VmSample> vmSamples(Instant at) {
        List<VmSample> out = new ArrayList<>(fleet.vmCount());
        fleet.emit(epochSecond(at), at, out::add, null);
        return out;
    }

    public List<HostSample> hostSamples(Instant at) {
        List<HostSample> out = new ArrayList<>(fleet.hostCount());
        fleet.emit(epochSecond(at), at, null, out::add);
        return out;
    }

    private static long epochSecond(Instant at) {
        return Math.floorDiv(at.toEpochMilli(), 1000L);
    }
}
