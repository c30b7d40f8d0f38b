package io.lmadvisor.cli;

import io.lmadvisor.executor.ExecutorConfig;
import io.lmadvisor.executor.MigrationExecutorRunner;
import io.lmadvisor.executor.qmp.Inventory;
import io.lmadvisor.executor.qmp.QmpExecutorRunner;
import io.lmadvisor.executor.qmp.QmpExecutorSettings;
import io.lmadvisor.executor.qmp.QmpMigrationExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A migration executor as its own process: recommendations in, outcomes out; simulated (default) or real (QMP). */
@Command(
        name = "executor",
        mixinStandardHelpOptions = true,
        description = {
            "Carry out recommendations and publish their outcomes: in the migration simulator (--simulate,"
                    + " the default), or as real QEMU live migrations over QMP (--qmp --inventory FILE)."
        })
final class ExecutorCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--simulate", description = "Run recommendations in the migration simulator (the default).")
    boolean simulate;

    @Option(names = "--qmp", description = "Run real live migrations through QEMU's QMP sockets (needs --inventory).")
    boolean qmp;

    @Option(
            names = "--inventory",
            paramLabel = "FILE",
            description = "With --qmp: YAML or JSON file mapping each vmId to its source and destination QMP sockets,"
                    + " incoming URI and link (see docs/EXECUTOR.md). Other VMs are refused.")
    Path inventory;

    @Option(
            names = "--dry-run",
            description = "With --qmp: print the QMP commands each migration would send"
                    + " (JSON lines) instead of sending them.")
    boolean dryRun;

    @Option(
            names = "--max-concurrent",
            defaultValue = "2",
            description =
                    "With --qmp: migrations at once across all VMs (one per VM always; default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--execute-fraction", description = "Overrides lm.executor.execute.fraction (default 1.0).")
    String executeFraction;

    @Option(names = "--off-policy-fraction", description = "Overrides lm.executor.off.policy.fraction (default 0.2).")
    String offPolicyFraction;

    @Option(names = "--seed", description = "Overrides lm.executor.seed (default 42).")
    String seed;

    @Option(names = "--group-id", description = "Overrides group.id (default lm-executor; lm-executor-qmp with --qmp).")
    String groupId;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Stop after this long (default: until stopped).")
    Duration duration;

    @Option(
            names = "--status-every",
            defaultValue = "30s",
            converter = DurationConverter.class,
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
        if (simulate && qmp) {
            throw new IllegalArgumentException("--simulate and --qmp exclude each other");
        }
        if (!qmp && (inventory != null || dryRun)) {
            throw new IllegalArgumentException("--inventory and --dry-run go with --qmp");
        }
        if (qmp) {
            return runQmp(cfg);
        }
        System.err.print("lm-advisor executor: configuration (secrets hidden):\n" + cfg.describe());

        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "executor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (MigrationExecutorRunner runner = new MigrationExecutorRunner(cfg.clientConfigs(), cfg.settings())) {
            runner.start();
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            while (!stop.await(Math.min(statusEvery.toMillis(), 500), TimeUnit.MILLISECONDS)
                    && System.nanoTime() - deadline < 0
                    && runner.failure().isEmpty()) {
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

    private int runQmp(ExecutorConfig cfg) throws InterruptedException {
        if (inventory == null) {
            throw new IllegalArgumentException(
                    "--qmp needs --inventory FILE: the VMs it may migrate and their QMP sockets");
        }
        Inventory inv = Inventory.load(inventory);
        QmpMigrationExecutor executor =
                new QmpMigrationExecutor(QmpExecutorSettings.defaults().withMaxConcurrent(maxConcurrent));
        System.err.print("lm-advisor executor: configuration (secrets hidden):\n" + cfg.describe());
        System.err.printf(
                "lm-advisor executor: QMP%s, %d VM(s) in %s, at most %d migration(s) at once%n",
                dryRun ? " dry run (printing commands, sending none)" : "",
                inv.vmIds().size(),
                inventory,
                maxConcurrent);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // On Ctrl-C, hold the JVM until running migrations are cancelled and their settings put back.
        Thread hook = new Thread(
                () -> {
                    stop.countDown();
                    try {
                        closed.await(2, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "executor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (QmpExecutorRunner runner =
                new QmpExecutorRunner(cfg.clientConfigs(), inv, executor, dryRun ? System.out : null)) {
            runner.start();
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            long next = System.nanoTime() + statusEvery.toNanos();
            while (!stop.await(500, TimeUnit.MILLISECONDS)
                    && System.nanoTime() - deadline < 0
                    && runner.failure().isEmpty()) {
                if (System.nanoTime() - next >= 0) {
                    next += statusEvery.toNanos();
                    qmpStatus(runner, "");
                }
            }
            qmpStatus(runner, "done: ");
            return runner.failure().isPresent() ? 1 : 0;
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook has run
            }
        }
    }

    private void qmpStatus(QmpExecutorRunner runner, String prefix) {
        QmpExecutorRunner.Stats s = runner.stats();
        System.err.printf(
                "lm-advisor executor: %s%d " + (dryRun ? "planned" : "migrated")
                        + ", %d running, %d refused (not in inventory)," + " %d skipped, %d bad records%s%n",
                prefix,
                s.executed(),
                s.running(),
                s.refused(),
                s.skipped(),
                s.badRecords(),
                runner.failure().map(f -> ", failed: " + f.getMessage()).orElse(""));
    }

    private long nextStatus;

    private void status(MigrationExecutorRunner runner, boolean last) {
        long now = System.nanoTime();
        if (!last && now - nextStatus < 0) {
            return;
        }
        nextStatus = now + statusEvery.toNanos();
        MigrationExecutorRunner.Stats s = runner.stats();
        System.err.printf(
                "lm-advisor executor: %sexecuted %d, skipped %d, bad records %d, waiting %d%s%n",
                last ? "done: " : "",
                s.executed(),
                s.skipped(),
                s.badRecords(),
                s.waiting(),
                runner.failure().map(f -> ", failed: " + f.getMessage()).orElse(""));
    }
}
