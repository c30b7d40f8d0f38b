package io.lmadvisor.model.learn;

import io.lmadvisor.model.Target;

/**
 * Learners fit targets in log space: the metric is relative error, and times and volumes span
 * orders of magnitude. Targets that can legitimately be 0 (downtime rounding, PERF, CPU, MEM) use
 * log1p so that 0 stays finite.
 */
public final class TargetSpace {
    /** Floor for log targets, in the target's unit: a 0 ms or 0 byte migration is a recording glitch. */
    static final double LOG_FLOOR = 1.0;

    private TargetSpace() {}

    public static boolean usesLog1p(Target t) {
        return t != Target.TT && t != Target.TD;
    }

    /** Name of the transform, recorded in artifacts. */
    public static String transformName(Target t) {
        return usesLog1p(t) ? "log1p" : "log";
    }

    public static double toModel(Target t, double y) {
        return usesLog1p(t) ? Math.log1p(Math.max(y, 0.0)) : Math.log(Math.max(y, LOG_FLOOR));
    }

    public static double fromModel(Target t, double z) {
        return usesLog1p(t) ? Math.expm1(z) : Math.exp(z);
    }
}
