package io.lmadvisor.executor.qmp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the QMP executor behaves around the recommendation (the recommendation itself says what to
 * set).
 *
 * @param maxConcurrent  migrations running at once across all VMs (one per VM is always the limit)
 * @param commandTimeout deadline of each QMP command
 * @param pollInterval   how often {@code query-migrate} is polled
 * @param baseline       how long the source QEMU's CPU and RSS are sampled before the migration, as its
 *                       baseline; zero skips the baseline (extra CPU/memory are then not reported)
 * @param cancelGrace    how long to wait for QEMU to acknowledge {@code migrate_cancel}
 * @param procRoot       where {@code /proc} is
 */
public record QmpExecutorSettings(
        int maxConcurrent,
        Duration commandTimeout,
        Duration pollInterval,
        Duration baseline,
        Duration cancelGrace,
        Path procRoot) {
    public QmpExecutorSettings {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, not " + maxConcurrent);
        }
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(cancelGrace, "cancelGrace");
        Objects.requireNonNull(procRoot, "procRoot");
    }

    public static QmpExecutorSettings defaults() {
        return new QmpExecutorSettings(
                2,
                Duration.ofSeconds(10),
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Path.of("/proc"));
    }

    public QmpExecutorSettings withMaxConcurrent(int n) {
        return new QmpExecutorSettings(n, commandTimeout, pollInterval, baseline, cancelGrace, procRoot);
    }

    public QmpExecutorSettings withBaseline(Duration d) {
        return new QmpExecutorSettings(maxConcurrent, commandTimeout, pollInterval, d, cancelGrace, procRoot);
    }

    public QmpExecutorSettings withPollInterval(Duration d) {
        return new QmpExecutorSettings(maxConcurrent, commandTimeout, d, baseline, cancelGrace, procRoot);
    }
}
