package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The policy used when neither the VM nor the {@code default} key has one on lm.sla-policies. */
public final class SlaPolicies {
    public static final String DEFAULT_KEY = "default";
    public static final long BUILT_IN_MAX_DOWNTIME_MS = 500;
    public static final long BUILT_IN_MAX_TOTAL_TIME_MS = 300_000;
    public static final double BUILT_IN_MAX_DEGRADATION = 0.5;

    private SlaPolicies() {
    }

    public static SlaPolicy builtIn() {
        return SlaPolicy.newBuilder()
                .setMaxDowntimeMs(BUILT_IN_MAX_DOWNTIME_MS)
                .setMaxTotalTimeMs(BUILT_IN_MAX_TOTAL_TIME_MS)
                .setMaxPerformanceDegradation(BUILT_IN_MAX_DEGRADATION)
                .setMaxTransferredBytes(null)
                .setObjective(SlaObjective.MIN_TOTAL_TIME)
                .setNote("built-in default")
                .build();
    }

    /** The VM's own policy, else the {@code default} key's, else the built-in one. */
    public static SlaPolicy forVm(String vmId, Map<String, SlaPolicy> byKey) {
        SlaPolicy p = byKey.get(vmId);
        if (p == null) {
            p = byKey.get(DEFAULT_KEY);
        }
        return p == null ? builtIn() : p;
    }

    /** Names of the limits that measured or predicted figures exceed; NaN figures exceed nothing. */
    public static List<String> violatedLimits(SlaPolicy p, double totalTimeMs, double downtimeMs, double transferredBytes,
                                              double performanceDegradation) {
        List<String> out = new ArrayList<>(2);
        exceeds(out, SlaJudge.DOWNTIME, downtimeMs, p.getMaxDowntimeMs());
        exceeds(out, SlaJudge.TOTAL_TIME, totalTimeMs, p.getMaxTotalTimeMs());
        exceeds(out, SlaJudge.TRANSFERRED, transferredBytes, p.getMaxTransferredBytes());
        exceeds(out, SlaJudge.DEGRADATION, performanceDegradation, p.getMaxPerformanceDegradation());
        return out;
    }

    private static void exceeds(List<String> out, String metric, double value, Number limit) {
        if (limit != null && value > limit.doubleValue()) {
            out.add(metric);
        }
    }
}
