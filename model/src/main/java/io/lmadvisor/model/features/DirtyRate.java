package io.lmadvisor.model.features;

/**
 * Two meanings of "page dirty rate". Agents measure <em>distinct</em> pages changed per measuring
 * interval T (QMP calc-dirty-rate, /proc page sampling): for r MB/s of writes spread over a working
 * set of W MB that is W(1 − e^(−rT/W))/T, already saturated at W/T. The simulator and the model's
 * simulated training rows use the <em>write</em> rate r and saturate it themselves over each round.
 * Feeding a measured rate to them unconverted saturates twice and under-predicts what a short round
 * re-dirties, so pre-copy looks convergent where it is not. These convert between the two.
 */
public final class DirtyRate {
    /** The interval the agents measure over: calc-time 1 s, and 1 s ticks for the procfs sampler. */
    public static final double AGENT_INTERVAL_S = 1.0;
    /**
     * A measurement at the working set's ceiling says only "r ≥ several W/T"; this caps the inverse
     * there (r ≤ 4.6 W/T) instead of returning infinity.
     */
    static final double MAX_SATURATION = 0.99;

    private DirtyRate() {}

    /** Distinct MB/s an agent measures over {@code intervalS} for a write rate; the write rate when W is unknown. */
    public static double distinctRate(double writeMBps, double wssMb, double intervalS) {
        if (!(wssMb > 0) || !(writeMBps > 0)) {
            return writeMBps;
        }
        return wssMb * -Math.expm1(-writeMBps * intervalS / wssMb) / intervalS;
    }

    /** Write rate that explains a measured distinct rate; the measured rate when W is unknown. */
    public static double writeRate(double distinctMBps, double wssMb, double intervalS) {
        if (!(wssMb > 0) || !(distinctMBps > 0)) {
            return distinctMBps;
        }
        double x = Math.min(distinctMBps * intervalS / wssMb, MAX_SATURATION);
        return -wssMb / intervalS * Math.log1p(-x);
    }
}
