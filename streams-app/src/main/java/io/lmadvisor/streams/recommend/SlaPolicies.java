package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.model.Target;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** The policy used when neither the VM nor the {@code default} key has one on lm.sla-policies. */
public final class SlaPolicies {
    public static final String DEFAULT_KEY = "default";
    public static final long BUILT_IN_MAX_DOWNTIME_MS = 500;
    public static final long BUILT_IN_MAX_TOTAL_TIME_MS = 300_000;
    public static final double BUILT_IN_MAX_DEGRADATION = 0.5;

    private SlaPolicies() {}

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
    public static SlaPolicy forVm(String vmId, Function<String, SlaPolicy> byKey) {
        SlaPolicy p = byKey.apply(vmId);
        if (p == null) {
            p = byKey.apply(DEFAULT_KEY);
        }
        return p == null ? builtIn() : p;
    }

    /** Names of the limits that measured or predicted figures exceed; NaN figures exceed nothing. */
    public static List<String> violatedLimits(
            SlaPolicy p,
            double totalTimeMs,
            double downtimeMs,
            double transferredBytes,
            double performanceDegradation) {
        double[] figures = new double[Target.values().length];
        Arrays.fill(figures, Double.NaN);
        figures[Target.TT.ordinal()] = totalTimeMs;
        figures[Target.DT.ordinal()] = downtimeMs;
        figures[Target.TD.ordinal()] = transferredBytes;
        figures[Target.PERF.ordinal()] = performanceDegradation;
        return SlaJudge.violatedLimits(p, figures);
    }
}
