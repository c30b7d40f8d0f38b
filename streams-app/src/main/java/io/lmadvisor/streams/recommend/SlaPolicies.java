package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;

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
}
