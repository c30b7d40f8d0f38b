package io.lmadvisor.agent.simulate;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's fleet API over {@link SimulatedFleet}: H CSAP-like hosts (4 cores, 16 GB, 1 GbE
 * migration link) and V VMs spread round-robin. Samples depend only on (seed, whole epoch second
 * of {@code at}), so VM and host samples of the same instant agree and replays repeat.
 */
public final class SimpleFleet {
    private final SimulatedFleet fleet;

    public SimpleFleet(int hosts, int vmCount, long seed) {
        fleet = new SimulatedFleet(hosts, vmCount, seed, Instant.EPOCH);
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
