package io.lmadvisor.executor;

import java.util.Objects;

/**
 * Options of the simulated executor.
 *
 * @param executeFraction   share of executable recommendations that are actually run, 0..1
 * @param offPolicyFraction share of executed runs that use a random other algorithm instead of the
 *                          recommended one, 0..1 (gives the evaluation something to compare against)
 * @param seed              seed of every random choice and of the measurement noise
 * @param groupId           Kafka consumer group of the runner
 */
public record ExecutorSettings(double executeFraction, double offPolicyFraction, long seed, String groupId) {
    public static final String DEFAULT_GROUP_ID = "lm-executor";

    public ExecutorSettings {
        checkFraction("executeFraction", executeFraction);
        checkFraction("offPolicyFraction", offPolicyFraction);
        Objects.requireNonNull(groupId, "groupId");
        if (groupId.isBlank()) {
            throw new IllegalArgumentException("groupId must not be blank");
        }
    }

    /** Runs every recommendation, 20% of them off-policy. */
    public static ExecutorSettings defaults() {
        return new ExecutorSettings(1.0, 0.2, 42L, DEFAULT_GROUP_ID);
    }

    public ExecutorSettings withExecuteFraction(double f) {
        return new ExecutorSettings(f, offPolicyFraction, seed, groupId);
    }

    public ExecutorSettings withOffPolicyFraction(double f) {
        return new ExecutorSettings(executeFraction, f, seed, groupId);
    }

    public ExecutorSettings withSeed(long s) {
        return new ExecutorSettings(executeFraction, offPolicyFraction, s, groupId);
    }

    private static void checkFraction(String name, double v) {
        // The negated form also rejects NaN.
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + v);
        }
    }
}
