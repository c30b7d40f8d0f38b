package io.lmadvisor.agent.simulate;

import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.DirtyRate;
import io.lmadvisor.model.features.Pages;
import io.lmadvisor.simulator.workload.FleetConfig;
import io.lmadvisor.simulator.workload.GeneratedVm;
import io.lmadvisor.simulator.workload.VmSnapshot;
import io.lmadvisor.simulator.workload.WorkloadDynamics;
import io.lmadvisor.simulator.workload.WorkloadGenerator;
import io.lmadvisor.simulator.workload.WorkloadProfile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A fleet of H hosts and V VMs whose behaviour comes from the simulator's workload generator and
 * its per-second dynamics (phases, bursts, idle periods). Every sample is a pure function of
 * (seed, second), so seconds can be generated in any order and replayed. Thread-safe.
 */
public final class SimulatedFleet {
    public static final String SOURCE = "simulate";
    public static final String AGENT_VERSION = "simulated-fleet/0.2";
    /** Granularity of configured guest RAM above the mapped size. */
    static final double RAM_STEP_MB = 512;
    /** Largest share of host memory other tenants / the host OS hold. */
    static final double MAX_BACKGROUND_MEM_SHARE = 0.25;
    /** Relative per-second wobble of the background CPU load. */
    static final double BACKGROUND_JITTER = 0.2;

    private final FleetConfig config;
    private final Instant start;
    private final long seed;
    private final Vm[] vms;
    private final String[] hostIds;
    private final double[] hostBackgroundCores;
    private final double[] hostBackgroundMemMb;
    private final long hostMemTotalMb;

    /** CSAP-like fleet (4-core 16 GB hosts, 1 GbE migration link) starting at {@code start}. */
    public SimulatedFleet(int hosts, int vmCount, long seed, Instant start) {
        this(FleetConfig.csap(), hosts, vmCount, seed, start);
    }

    public SimulatedFleet(FleetConfig config, int hosts, int vmCount, long seed, Instant start) {
        if (hosts < 1 || vmCount < 1) {
            throw new IllegalArgumentException("need at least one host and one VM");
        }
        this.config = Objects.requireNonNull(config, "config");
        this.start = Objects.requireNonNull(start, "start");
        this.seed = seed;
        WorkloadGenerator generator = new WorkloadGenerator(config);
        SplittableRandom rng = new SplittableRandom(seed);
        Workload[] weighted =
                config.workloadWeights().keySet().stream().sorted().toArray(Workload[]::new);
        vms = new Vm[vmCount];
        for (int i = 0; i < vmCount; i++) {
            // One VM of each weighted type first, so even a small demo fleet shows every workload
            // (idle is ~0.3% of the CSAP mix and would usually be missing).
            GeneratedVm g = i < weighted.length ? generator.next(weighted[i], rng) : generator.next(rng);
            vms[i] = new Vm(vmId(i), i % hosts, g.vm(), generator.dynamics(g));
        }
        hostIds = new String[hosts];
        hostBackgroundCores = new double[hosts];
        hostBackgroundMemMb = new double[hosts];
        hostMemTotalMb = (long) config.hostMemMb();
        for (int h = 0; h < hosts; h++) {
            hostIds[h] = hostId(h);
            hostBackgroundCores[h] = config.maxBackgroundCores() * rng.nextDouble();
            hostBackgroundMemMb[h] = MAX_BACKGROUND_MEM_SHARE * config.hostMemMb() * rng.nextDouble();
        }
        for (Vm vm : vms) {
            vm.hostId = hostIds[vm.hostIndex];
        }
    }

    public static String vmId(int index) {
        return String.format("vm-%05d", index);
    }

    public static String hostId(int index) {
        return String.format("host-%03d", index);
    }

    public FleetConfig config() {
        return config;
    }

    public Instant start() {
        return start;
    }

    public int hostCount() {
        return hostIds.length;
    }

    public int vmCount() {
        return vms.length;
    }

    /** Workload type of the VM with index {@code vmIndex}, as in {@link #vmId(int)}. */
    public Workload workloadOf(int vmIndex) {
        return vms[vmIndex].base.workload();
    }

    /** Event time of second {@code second}: {@code start + second}. */
    public Instant timeOf(long second) {
        return start.plusSeconds(second);
    }

    /**
     * Emits the VM samples of one second, then the host samples of the same second (hosts see
     * their VMs' CPU and memory). Either sink may be null to skip that kind.
     */
    public void forEachSample(long second, Consumer<? super VmSample> vmSink, Consumer<? super HostSample> hostSink) {
        emit(second, timeOf(second), vmSink, hostSink);
    }

    public List<VmSample> vmSamples(long second) {
        List<VmSample> out = new ArrayList<>(vms.length);
        emit(second, timeOf(second), out::add, null);
        return out;
    }

    public List<HostSample> hostSamples(long second) {
        List<HostSample> out = new ArrayList<>(hostIds.length);
        emit(second, timeOf(second), null, out::add);
        return out;
    }

    /** Second {@code second} of the dynamics stamped with an arbitrary event time (for adapters). */
    void emit(long second, Instant at, Consumer<? super VmSample> vmSink, Consumer<? super HostSample> hostSink) {
        int hosts = hostIds.length;
        double[] vmCpuPct = hostSink == null ? null : new double[hosts];
        double[] vmMemMb = hostSink == null ? null : new double[hosts];
        double[] vmNetMBps = hostSink == null ? null : new double[hosts];
        for (Vm vm : vms) {
            WorkloadProfile p = vm.dynamics.sampleAt(second);
            double cpuPct = nonNegative(p.cpuUtilPct());
            double netMBps = nonNegative(p.netUtilMBps());
            if (vmSink != null) {
                vmSink.accept(new VmSample(
                        vm.id,
                        vm.hostId,
                        at,
                        vm.memorySizeMb,
                        vm.base.vmSizeMb(),
                        // What a real agent measures: distinct pages per second, saturated at the working set.
                        Pages.fromMb(DirtyRate.distinctRate(
                                nonNegative(p.pdrMBps()),
                                Math.min(vm.base.vmSizeMb(), nonNegative(p.wssMb())),
                                DirtyRate.AGENT_INTERVAL_S)),
                        Math.round(Pages.fromMb(Math.min(vm.base.vmSizeMb(), nonNegative(p.wssMb())))),
                        vm.wse,
                        vm.nwse,
                        clamp(p.mwppBytes(), 0, Pages.PAGE_BYTES),
                        nonNegative(p.pmuInstrPerS()),
                        cpuPct,
                        netMBps,
                        AGENT_VERSION,
                        SOURCE,
                        DirtyRateMethod.SIMULATED,
                        vm.base.vcpus()));
            }
            if (hostSink != null) {
                vmCpuPct[vm.hostIndex] += cpuPct;
                vmMemMb[vm.hostIndex] += vm.base.vmSizeMb();
                vmNetMBps[vm.hostIndex] += netMBps;
            }
        }
        if (hostSink == null) {
            return;
        }
        int cores = config.hostCores();
        double maxCpuPct = 100.0 * cores;
        double linkMBps = config.linkMBps();
        for (int h = 0; h < hosts; h++) {
            double jitter = 1 + BACKGROUND_JITTER * (2 * unit(mix(seed, h, second)) - 1);
            double busyPct = vmCpuPct[h] + 100.0 * hostBackgroundCores[h] * jitter;
            long memAvailMb = (long) clamp(hostMemTotalMb - vmMemMb[h] - hostBackgroundMemMb[h], 0, hostMemTotalMb);
            // VM traffic shares the NIC with migration in this model.
            double netUsedMBps = Math.min(linkMBps, vmNetMBps[h]);
            hostSink.accept(new HostSample(
                    hostIds[h],
                    at,
                    cores,
                    clamp(maxCpuPct - busyPct, 0, maxCpuPct),
                    hostMemTotalMb,
                    memAvailMb,
                    linkMBps,
                    linkMBps - netUsedMBps,
                    netUsedMBps));
        }
    }

    private static double nonNegative(double v) {
        return v > 0 ? v : 0; // also maps NaN to 0
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }

    /** SplitMix64 finaliser: deterministic per-(host, second) noise without shared state. */
    private static long mix(long seed, long a, long b) {
        long z = seed + 0x9E3779B97F4A7C15L * (a + 1) + 0xC2B2AE3D27D4EB4FL * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    private static final class Vm {
        final String id;
        final int hostIndex;
        final VmSnapshot base;
        final WorkloadDynamics dynamics;
        final long memorySizeMb;
        // Boxed once: the dynamics keep entropies constant per VM.
        final Double wse;
        final Double nwse;
        String hostId;

        Vm(String id, int hostIndex, VmSnapshot base, WorkloadDynamics dynamics) {
            this.id = id;
            this.hostIndex = hostIndex;
            this.base = base;
            this.dynamics = dynamics;
            this.memorySizeMb = (long) (Math.ceil(base.vmSizeMb() / RAM_STEP_MB) * RAM_STEP_MB);
            this.wse = clamp(base.wse(), 0, 1);
            this.nwse = clamp(base.nwse(), 0, 1);
        }
    }
}
