package io.lmadvisor.cli;

import io.lmadvisor.executor.ExecutorConfig;
import io.lmadvisor.executor.MigrationExecutorRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The simulated migration executor as its own process: recommendations in, outcomes out. */
@Command(name = "executor", mixinStandardHelpOptions = true,
        description = "Carry out a share of the recommendations in the migration simulator and publish their outcomes.")
final class ExecutorCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--execute-fraction", description = "Overrides lm.executor.execute.fraction (default 1.0).")
    String executeFraction;

    @Option(names = "--off-policy-fraction", description = "Overrides lm.executor.off.policy.fraction (default 0.2).")
    String offPolicyFraction;

    @Option(names = "--seed", description = "Overrides lm.executor.seed (default 42).")
    String seed;

    @Option(names = "--group-id", description = "Overrides group.id (default lm-executor).")
    String groupId;

    @Option(names = "--duration", converter = DurationConverter.class, description = "Stop after this long (default: until stopped).")
    Duration duration;

    @Option(names = "--status-every", defaultValue = "30s", converter = DurationConverter.class,
            description = "How often to log counts (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    @Override
    public Integer call() throws Exception {
        Properties flags = new Properties();
        ClusterOptions.putIfSet(flags, ExecutorConfig.EXECUTE_FRACTION, executeFraction);
        ClusterOptions.putIfSet(flags, ExecutorConfig.OFF_POLICY_FRACTION, offPolicyFraction);
        ClusterOptions.putIfSet(flags, ExecutorConfig.SEED, seed);
        ClusterOptions.putIfSet(flags, "group.id", groupId);
        ExecutorConfig cfg = new ExecutorConfig(cluster.layered(ExecutorConfig.KEYS, flags));
        System.err.print("lm-advisor executor: configuration (secrets hidden):\n" + cfg.describe());

        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "executor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (MigrationExecutorRunner runner = new MigrationExecutorRunner(cfg.clientConfigs(), cfg.settings())) {
            runner.start();
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            while (!stop.await(Math.min(statusEvery.toMillis(), 500), TimeUnit.MILLISECONDS)
                    && System.nanoTime() - deadline < 0 && runner.failure().isEmpty()) {
                status(runner, false);
            }
            status(runner, true);
            return runner.failure().isPresent() ? 1 : 0;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook has run
            }
        }
    }

    private long nextStatus;

    private void status(MigrationExecutorRunner runner, boolean last) {
        long now = System.nanoTime();
        if (!last && now - nextStatus < 0) {
            return;
        }
        nextStatus = now + statusEvery.toNanos();
        MigrationExecutorRunner.Stats s = runner.stats();
        System.err.printf("lm-advisor executor: %sexecuted %d, skipped %d, bad records %d, waiting %d%s%n",
                last ? "done: " : "", s.executed(), s.skipped(), s.badRecords(), s.waiting(),
                runner.failure().map(f -> ", failed: " + f.getMessage()).orElse(""));
    }
}
