package io.lmadvisor.streams.app;

import java.time.Duration;

/**
 * When readiness turns DOWN.
 *
 * @param threadFailures a stream thread may be replaced this many times within {@code failureWindow}; one more is DOWN
 * @param failureWindow  how far back thread failures count
 * @param stallAfter     lag with no record consumed for this long is DOWN
 * @param probeEvery     how often the broker is asked whether it is there
 */
public record HealthSettings(int threadFailures, Duration failureWindow, Duration stallAfter, Duration probeEvery) {
    public static final HealthSettings DEFAULTS =
            new HealthSettings(3, Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(5));

    public HealthSettings {
        if (threadFailures < 0
                || failureWindow.isNegative()
                || failureWindow.isZero()
                || stallAfter.isNegative()
                || stallAfter.isZero()
                || probeEvery.isNegative()
                || probeEvery.isZero()) {
            throw new IllegalArgumentException("health settings must be positive");
        }
    }
}
