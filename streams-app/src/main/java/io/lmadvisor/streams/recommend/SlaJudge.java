package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;

import java.util.List;

/** Judges a scored option against an SLA policy: each limit met, violated, or unknown (figure not predicted). */
final class SlaJudge {
    static final String TOTAL_TIME = "totalTimeMs";
    static final String DOWNTIME = "downtimeMs";
    static final String TRANSFERRED = "transferredBytes";
    static final String DEGRADATION = "performanceDegradation";
    /** Violated-limit names of the post-copy rules (the policy's flag and its degradation budget). */
    static final String POSTCOPY_FORBIDDEN = "allowPostCopy";
    static final String POSTCOPY_DEGRADATION = "postCopyDegradation";

    private SlaJudge() {
    }

    static void judge(ScoredOption o, SlaPolicy p) {
        if (o.algorithm == Algorithm.POSTCOPY && Boolean.FALSE.equals(p.getAllowPostCopy())) {
            // Forbidden, not merely over a limit: weigh it as far off so "closest" names an allowed option first.
            o.violated.add(POSTCOPY_FORBIDDEN);
            o.excess += 1e6;
        }
        check(o, DOWNTIME, o.get(Target.DT), p.getMaxDowntimeMs());
        check(o, TOTAL_TIME, o.get(Target.TT), p.getMaxTotalTimeMs());
        check(o, TRANSFERRED, o.get(Target.TD), p.getMaxTransferredBytes());
        check(o, DEGRADATION, o.get(Target.PERF), p.getMaxPerformanceDegradation());
        if (o.algorithm == Algorithm.POSTCOPY) {
            check(o, POSTCOPY_DEGRADATION, o.get(Target.PERF), p.getMaxPostCopyDegradation());
        }
    }

    /** An unknown prediction (NaN) neither meets nor violates a limit: it is recorded as unknown. */
    private static void check(ScoredOption o, String metric, double predicted, Number limit) {
        if (limit == null) {
            return;
        }
        if (Double.isNaN(predicted)) {
            o.unknown.add(metric);
        } else if (predicted > limit.doubleValue()) {
            o.violated.add(metric);
            o.excess += predicted / Math.max(limit.doubleValue(), 1e-9) - 1.0;
        }
    }

    /** The largest share of a limit the option's known figures use. */
    static double highestShareOfLimit(ScoredOption o, SlaPolicy p) {
        double share = 0;
        for (String metric : List.of(DOWNTIME, TOTAL_TIME, TRANSFERRED, DEGRADATION)) {
            double v = valueOf(o, metric) / limitOf(p, metric);
            if (v > share) {
                share = v;
            }
        }
        return share;
    }

    static double valueOf(ScoredOption o, String metric) {
        switch (metric) {
            case DOWNTIME: return o.get(Target.DT);
            case TOTAL_TIME: return o.get(Target.TT);
            case TRANSFERRED: return o.get(Target.TD);
            case DEGRADATION:
            case POSTCOPY_DEGRADATION: return o.get(Target.PERF);
            default: return Double.NaN;
        }
    }

    static double limitOf(SlaPolicy p, String metric) {
        Number n;
        switch (metric) {
            case DOWNTIME: n = p.getMaxDowntimeMs(); break;
            case TOTAL_TIME: n = p.getMaxTotalTimeMs(); break;
            case TRANSFERRED: n = p.getMaxTransferredBytes(); break;
            case DEGRADATION: n = p.getMaxPerformanceDegradation(); break;
            case POSTCOPY_DEGRADATION: n = p.getMaxPostCopyDegradation(); break;
            default: n = null;
        }
        return n == null ? Double.NaN : n.doubleValue();
    }
}
