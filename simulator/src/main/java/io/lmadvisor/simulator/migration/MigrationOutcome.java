package io.lmadvisor.simulator.migration;

import io.lmadvisor.model.Target;

/**
 * The result of one simulated migration. Mutable so a hot loop can reuse one instance; copy the
 * values out before the next call.
 */
public final class MigrationOutcome {
    public double totalTimeMs;
    public double downtimeMs;
    public double transferredBytes;
    /** Performance degradation of the VM during the migration, 0..1. */
    public double perfDegradation;
    /** Additional source CPU, percent of one core. */
    public double srcCpuPct;
    /** Additional source memory, MB. */
    public double srcMemMb;

    public int rounds;
    /** Highest auto-converge throttle applied, percent (0 when none). */
    public double maxThrottlePct;

    public MigrationStatus status = MigrationStatus.CONVERGED;

    public boolean converged() {
        return status == MigrationStatus.CONVERGED;
    }

    public double target(Target t) {
        switch (t) {
            case TT:
                return totalTimeMs;
            case DT:
                return downtimeMs;
            case TD:
                return transferredBytes;
            case PERF:
                return perfDegradation;
            case CPU:
                return srcCpuPct;
            case MEM:
                return srcMemMb;
            default:
                throw new AssertionError(t);
        }
    }

    /** The six targets in {@link Target} order, CSAP units. */
    public double[] targets() {
        double[] y = new double[Target.values().length];
        for (Target t : Target.values()) {
            y[t.ordinal()] = target(t);
        }
        return y;
    }

    void reset() {
        totalTimeMs = downtimeMs = transferredBytes = perfDegradation = srcCpuPct = srcMemMb = maxThrottlePct = 0;
        rounds = 0;
        status = MigrationStatus.CONVERGED;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "%s TT %.0f ms, DT %.0f ms, TD %.1f MB, PERF %.3f, CPU %.1f%%, MEM %.1f MB, %d rounds",
                status,
                totalTimeMs,
                downtimeMs,
                transferredBytes / (1024 * 1024.0),
                perfDegradation,
                srcCpuPct,
                srcMemMb,
                rounds);
    }
}
