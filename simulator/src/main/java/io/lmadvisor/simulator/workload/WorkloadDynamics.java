package io.lmadvisor.simulator.workload;

/**
 * Time-varying behaviour of one VM: phases of {@link WorkloadConfig#phasePeriodS()} seconds that are
 * steady, a burst or idle, plus per-second jitter. Stateless: {@link #sampleAt(long)} is a pure
 * function of (VM seed, second), so any second can be sampled in any order and replayed.
 */
public final class WorkloadDynamics {
    private static final double JITTER = 0.15;

    private final WorkloadConfig config;
    private final VmSnapshot base;
    private final long vmSeed;

    public WorkloadDynamics(WorkloadConfig config, VmSnapshot base, long vmSeed) {
        this.config = config;
        this.base = base;
        this.vmSeed = vmSeed;
    }

    public VmSnapshot base() {
        return base;
    }

    public long vmSeed() {
        return vmSeed;
    }

    public WorkloadProfile sampleAt(long second) {
        long phaseIndex = Math.floorDiv(second, Math.max(1L, (long) config.phasePeriodS()));
        double u = unit(mix(vmSeed, phaseIndex, 0x9E37));
        WorkloadProfile.Phase phase;
        double level;
        if (u < config.idleProbability()) {
            phase = WorkloadProfile.Phase.IDLE;
            level = 0;
        } else if (u < config.idleProbability() + config.burstProbability()) {
            phase = WorkloadProfile.Phase.BURST;
            level = config.burstFactor();
        } else {
            phase = WorkloadProfile.Phase.STEADY;
            level = 1;
        }
        double jitter = 1.0 + JITTER * (2 * unit(mix(vmSeed, second, 0x51ED)) - 1);
        double pdr = phase == WorkloadProfile.Phase.IDLE
                ? Math.min(base.pdrMBps(), WorkloadConfig.IDLE_PDR_MBPS) * jitter
                : base.pdrMBps() * level * jitter;
        double activity = phase == WorkloadProfile.Phase.IDLE ? 0.05 : Math.min(level, 1.5);
        double wss = Math.min(base.vmSizeMb(), base.wssMb() * (phase == WorkloadProfile.Phase.BURST ? 1.3 : 1.0));
        double cpu = Math.min(100.0 * base.vcpus(), base.cpuUtilPct() * activity * jitter);
        return new WorkloadProfile(
                second,
                phase,
                pdr,
                wss,
                base.mwppBytes(),
                cpu,
                base.netUtilMBps() * activity * jitter,
                base.pmuInstrPerS() * activity * jitter);
    }

    /** SplitMix64 finaliser over the inputs: a well-spread deterministic hash. */
    static long mix(long seed, long a, long salt) {
        long z = seed + 0x9E3779B97F4A7C15L * (a + 1) + salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }
}
