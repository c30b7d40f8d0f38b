package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import java.util.ArrayList;
import java.util.List;

/** Judges a scored option against an SLA policy: each limit met, violated, or unknown (figure not predicted). */
public final class SlaJudge {
    public static final String TOTAL_TIME = "totalTimeMs";
    public static final String DOWNTIME = "downtimeMs";
    public static final String TRANSFERRED = "transferredBytes";
    public static final String DEGRADATION = "performanceDegradation";
    /** Violated-limit names of the post-copy rules (the policy's flag and its degradation budget). */
    public static final String POSTCOPY_FORBIDDEN = "allowPostCopy";

    public static final String POSTCOPY_DEGRADATION = "postCopyDegradation";

    private SlaJudge() {}

    /** The policy's limits on predicted or measured figures, in the order they are checked. */
    private static final List<String> LIMITS = List.of(DOWNTIME, TOTAL_TIME, TRANSFERRED, DEGRADATION);

    static void judge(ScoredOption o, SlaPolicy p) {
        if (o.algorithm == Algorithm.POSTCOPY && Boolean.FALSE.equals(p.getAllowPostCopy())) {
            // Forbidden, not merely over a limit: weigh it as far off so "closest" names an allowed option first.
            o.violated.add(POSTCOPY_FORBIDDEN);
            o.excess += 1e6;
        }
        for (String metric : LIMITS) {
            check(o, metric, p);
        }
        if (o.algorithm == Algorithm.POSTCOPY) {
            check(o, POSTCOPY_DEGRADATION, p);
        }
    }

    /** An unknown prediction (NaN) neither meets nor violates a limit: it is recorded as unknown. */
    private static void check(ScoredOption o, String metric, SlaPolicy p) {
        double limit = limitOf(p, metric);
        double predicted = valueOf(o, metric);
        if (Double.isNaN(limit)) {
            return;
        }
        if (Double.isNaN(predicted)) {
            o.unknown.add(metric);
        } else if (exceeds(predicted, limit)) {
            o.violated.add(metric);
            o.excess += predicted / Math.max(limit, 1e-9) - 1.0;
        }
    }

    /** The one limit check: a figure over a set limit; NaN figures and unset (NaN) limits exceed nothing. */
    private static boolean exceeds(double value, double limit) {
        return value > limit;
    }

    /**
     * Names of the limits that measured or predicted figures exceed.
     *
     * @param figures indexed by {@link Target#ordinal()}; NaN where unknown
     */
    static List<String> violatedLimits(SlaPolicy p, double[] figures) {
        List<String> out = new ArrayList<>(2);
        for (String metric : LIMITS) {
            if (exceeds(figures[targetOf(metric).ordinal()], limitOf(p, metric))) {
                out.add(metric);
            }
        }
        return out;
    }

    /** The largest share of a limit the option's known figures use. */
    public static double highestShareOfLimit(ScoredOption o, SlaPolicy p) {
        double share = 0;
        for (String metric : LIMITS) {
            double v = valueOf(o, metric) / limitOf(p, metric);
            if (v > share) {
                share = v;
            }
        }
        return share;
    }

    public static double valueOf(ScoredOption o, String metric) {
        Target t = targetOf(metric);
        return t == null ? Double.NaN : o.get(t);
    }

    /** The predicted figure a limit bounds, or null for a name that bounds none. */
    private static Target targetOf(String metric) {
        switch (metric) {
            case DOWNTIME:
                return Target.DT;
            case TOTAL_TIME:
                return Target.TT;
            case TRANSFERRED:
                return Target.TD;
            case DEGRADATION:
            case POSTCOPY_DEGRADATION:
                return Target.PERF;
            default:
                return null;
        }
    }

    /** The policy's limit named {@code metric}, NaN when the policy sets none. */
    public static double limitOf(SlaPolicy p, String metric) {
        Number n;
        switch (metric) {
            case DOWNTIME:
                n = p.getMaxDowntimeMs();
                break;
            case TOTAL_TIME:
                n = p.getMaxTotalTimeMs();
                break;
            case TRANSFERRED:
                n = p.getMaxTransferredBytes();
                break;
            case DEGRADATION:
                n = p.getMaxPerformanceDegradation();
                break;
            case POSTCOPY_DEGRADATION:
                n = p.getMaxPostCopyDegradation();
                break;
            default:
                n = null;
        }
        return n == null ? Double.NaN : n.doubleValue();
    }
}
