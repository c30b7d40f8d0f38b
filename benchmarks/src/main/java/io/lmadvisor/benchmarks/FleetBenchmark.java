package io.lmadvisor.benchmarks;

import io.lmadvisor.agent.simulate.SimulatedFleet;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Single-thread throughput of {@link SimulatedFleet}: samples/s generated, and generated plus
 * Avro-serialized in the registry wire format the agent publishes. Not a test: timings vary.
 *
 * <p>Args: {@code [hosts=50] [vms=5000] [seconds=60] [seed=1]}.
 */
public final class FleetBenchmark {
    private FleetBenchmark() {}

    public static void main(String[] args) {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int vms = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1L;
        SimulatedFleet fleet = new SimulatedFleet(hosts, vms, seed, Instant.parse("2024-01-01T00:00:00Z"));
        MockSchemaRegistry registry = new MockSchemaRegistry();
        Serializer<VmSample> vmSer =
                AvroSerdes.of(VmSample.class, registry, false).serializer();
        Serializer<HostSample> hostSer =
                AvroSerdes.of(HostSample.class, registry, false).serializer();

        // Warm-up on other seconds so the JIT has compiled both paths before timing.
        run(fleet, -seconds, 0, null, null);
        run(fleet, -seconds, 0, vmSer, hostSer);

        report("generate", fleet, seconds, null, null);
        report("generate+avro", fleet, seconds, vmSer, hostSer);
    }

    private static void report(
            String label,
            SimulatedFleet fleet,
            int seconds,
            Serializer<VmSample> vmSer,
            Serializer<HostSample> hostSer) {
        long t0 = System.nanoTime();
        long[] counts = run(fleet, 0, seconds, vmSer, hostSer);
        double elapsedS = (System.nanoTime() - t0) / 1e9;
        long samples = counts[0];
        System.out.printf(
                "%-14s %d hosts x %d VMs, %d s: %,d samples (%,d bytes, checksum %d) in %.2f s"
                        + " = %,.0f samples/s%n",
                label,
                fleet.hostCount(),
                fleet.vmCount(),
                seconds,
                samples,
                counts[1],
                counts[2],
                elapsedS,
                samples / elapsedS);
    }

    /** Returns {samples, serialized bytes, checksum}. */
    private static long[] run(
            SimulatedFleet fleet, long from, long to, Serializer<VmSample> vmSer, Serializer<HostSample> hostSer) {
        long[] counts = new long[3];
        for (long s = from; s < to; s++) {
            fleet.forEachSample(
                    s,
                    v -> {
                        counts[0]++;
                        if (vmSer != null) {
                            counts[1] += vmSer.serialize(Topics.VM_SAMPLES, v).length;
                        } else {
                            // Consumed and printed so the JIT cannot drop the generation work.
                            counts[2] += (long) v.getDirtiedPagesPerSec() + v.getWorkingSetPages();
                        }
                    },
                    h -> {
                        counts[0]++;
                        if (hostSer != null) {
                            counts[1] += hostSer.serialize(Topics.HOST_SAMPLES, h).length;
                        }
                    });
        }
        return counts;
    }
}
