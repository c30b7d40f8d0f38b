package io.lmadvisor.model.analytic;

/**
 * The classic analytic pre-copy model: rounds form a geometric series, each resending what was
 * dirtied while the previous round was sent, until the remainder fits in bandwidth × downtime limit.
 * Used as the accuracy floor ({@code --learner analytic}) and as an input feature of the learners.
 */
public final class GeometricPrecopy {
    public static final long DEFAULT_DOWNTIME_LIMIT_MS = 300;
    /** Rounds after which a non-converging migration is forced into stop-and-copy. */
    public static final int DEFAULT_MAX_ROUNDS = 30;

    private GeometricPrecopy() {}

    /** Result holder reused by callers on hot paths. */
    public static final class Estimate {
        public double totalTimeMs;
        public double downtimeMs;
        public double transferredBytes;
        public int rounds;
        public boolean converged;
    }

    /**
     * @param vmSizeMb memory to send in the first round
     * @param dirtyRateMBps page dirty rate
     * @param transferRateMBps bandwidth used by the migration (must be positive)
     * @param dirtyCapMb upper bound on what can be dirty at once (WSS or VM size); NaN means VM size
     */
    public static Estimate estimate(
            double vmSizeMb,
            double dirtyRateMBps,
            double transferRateMBps,
            double dirtyCapMb,
            double downtimeLimitMs,
            int maxRounds,
            Estimate out) {
        double cap = Double.isNaN(dirtyCapMb) ? vmSizeMb : Math.min(dirtyCapMb, vmSizeMb);
        double stopThresholdMb = transferRateMBps * downtimeLimitMs / 1000.0;
        double remainingMb = vmSizeMb;
        double sentMb = 0;
        double timeS = 0;
        int rounds = 0;
        boolean converged = false;
        while (rounds < maxRounds) {
            double roundS = remainingMb / transferRateMBps;
            sentMb += remainingMb;
            timeS += roundS;
            rounds++;
            remainingMb = Math.min(dirtyRateMBps * roundS, cap);
            if (remainingMb <= stopThresholdMb) {
                converged = true;
                break;
            }
        }
        double downtimeS = remainingMb / transferRateMBps;
        out.downtimeMs = downtimeS * 1000.0;
        out.totalTimeMs = (timeS + downtimeS) * 1000.0;
        out.transferredBytes = (sentMb + remainingMb) * io.lmadvisor.model.features.Pages.BYTES_PER_MB;
        out.rounds = rounds;
        out.converged = converged;
        return out;
    }

    public static Estimate estimate(double vmSizeMb, double dirtyRateMBps, double transferRateMBps, double dirtyCapMb) {
        return estimate(
                vmSizeMb,
                dirtyRateMBps,
                transferRateMBps,
                dirtyCapMb,
                DEFAULT_DOWNTIME_LIMIT_MS,
                DEFAULT_MAX_ROUNDS,
                new Estimate());
    }
}
