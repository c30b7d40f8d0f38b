package io.lmadvisor.cli;

import io.lmadvisor.lab.HostLoad;
import io.lmadvisor.lab.LabAssets;
import io.lmadvisor.lab.LabException;
import io.lmadvisor.lab.LabGuest;
import io.lmadvisor.lab.LabMatrix;
import io.lmadvisor.lab.LabSetup;
import io.lmadvisor.lab.Qemu;
import io.lmadvisor.lab.SmokeMigration;
import io.lmadvisor.lab.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The QEMU lab: guest assets and real migrations on this machine (docs/LAB.md). */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        description = "QEMU lab: build guest assets, boot guests, migrate them for real (docs/LAB.md).",
        subcommands = {LabCommand.Setup.class, LabCommand.Smoke.class, LabCommand.Run.class, LabCommand.Matrix.class})
final class LabCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static LabAssets assets(Path dir) {
        return dir != null ? new LabAssets(dir) : LabAssets.defaultDir(System.getenv());
    }

    @Command(
            name = "setup",
            mixinStandardHelpOptions = true,
            description =
                    "Build the guest kernel, busybox initramfs and workload from Debian packages; find or install QEMU >= 9.")
    static final class Setup implements Callable<Integer> {
        @Option(names = "--dir", description = "Assets folder (default: $LM_LAB_DIR or ~/.cache/lm-advisor/lab).")
        Path dir;

        @Option(names = "--qemu", defaultValue = Qemu.BINARY, description = "QEMU binary (default: ${DEFAULT-VALUE}).")
        String qemu;

        @Override
        public Integer call() throws Exception {
            new LabSetup(assets(dir), qemu, System.out::println).run();
            return 0;
        }
    }

    @Command(
            name = "smoke",
            mixinStandardHelpOptions = true,
            description = "Boot a source and a destination guest, migrate one workload once (pre-copy, plain QMP)"
                    + " and verify the destination's memory.")
    static final class Smoke implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        GuestOptions guests;

        @Option(names = "--matrix", description = "Matrix file to take --workload from (default: the built-in matrix).")
        Path matrix;

        @Option(names = "--workload", description = "Workload name in the matrix (default: a small built-in one).")
        String workload;

        @Option(
                names = "--timeout",
                defaultValue = "180s",
                converter = DurationConverter.class,
                description = "Cancel the migration after this long (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            LabAssets a = guests.usableAssets();
            Workload w = workload == null
                    ? Workload.smoke()
                    : (matrix == null ? LabMatrix.defaultMatrix() : LabMatrix.read(matrix)).workload(workload);
            Path runDir = a.dir().resolve("work").resolve("smoke");
            int reaped = LabGuest.reapStaleIn(runDir);
            if (reaped > 0) {
                System.out.println("lab smoke: stopped " + reaped + " QEMU left by an earlier run");
            }
            LabGuest.Accel chosen = guests.accel(a, runDir, "lab smoke");
            HostLoad.awaitQuiet(
                    guests.maxLoad(),
                    guests.quietWait,
                    Duration.ofSeconds(10),
                    HostLoad::load1,
                    d -> Thread.sleep(d.toMillis()),
                    s -> System.out.println("lab smoke: " + s));
            SmokeMigration.Result r =
                    new SmokeMigration(a, runDir, chosen, guests.qemu, System.out::println).run(w, timeout);
            System.out.println("lab smoke: " + r.summary());
            return r.integrityOk() ? 0 : 1;
        }
    }

    /** The options of the commands that boot guests, and what they mean. */
    static final class GuestOptions {
        @Option(names = "--dir", description = "Assets folder (default: $LM_LAB_DIR or ~/.cache/lm-advisor/lab).")
        Path dir;

        @Option(names = "--qemu", defaultValue = Qemu.BINARY, description = "QEMU binary (default: ${DEFAULT-VALUE}).")
        String qemu;

        @Option(
                names = "--accel",
                defaultValue = "auto",
                description = "auto (KVM where it runs a guest, else TCG), kvm or tcg.")
        String accel;

        @Option(
                names = "--max-load",
                defaultValue = "-1",
                description =
                        "Before each migration, wait for the host's 1-min load to drop to this (default: half the cores).")
        double maxLoad;

        @Option(
                names = "--quiet-wait",
                defaultValue = "60s",
                converter = DurationConverter.class,
                description = "Longest wait for a quiet host before going ahead (default: ${DEFAULT-VALUE}).")
        Duration quietWait;

        /** The assets, once QEMU >= 9 and the assets are known to be usable. */
        LabAssets usableAssets() {
            LabAssets a = assets(dir);
            Qemu.unusable(qemu).ifPresent(p -> {
                throw new LabException(p);
            });
            a.problem().ifPresent(p -> {
                throw new LabException(p);
            });
            return a;
        }

        /** kvm, tcg, or auto (KVM only where a KVM guest really boots). */
        LabGuest.Accel accel(LabAssets a, Path runDir, String command) {
            return switch (accel.toLowerCase(Locale.ROOT)) {
                case "kvm" -> LabGuest.Accel.KVM;
                case "tcg" -> LabGuest.Accel.TCG;
                case "auto" -> {
                    LabGuest.AccelChoice c = LabGuest.probeAccel(a, runDir, qemu);
                    System.out.println(
                            command + ": accel " + c.accel().name().toLowerCase(Locale.ROOT) + " (" + c.reason() + ")");
                    yield c.accel();
                }
                default -> throw new LabException("--accel '" + accel + "' must be auto, kvm or tcg");
            };
        }

        /** --max-load; negative means half the cores. */
        double maxLoad() {
            return maxLoad >= 0 ? maxLoad : Runtime.getRuntime().availableProcessors() * 0.5;
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = "Real migrations of each matrix workload with every algorithm: the agent profiles it, the"
                    + " advisor recommends, the QMP executor migrates fresh boots; csap512 rows, outcomes and a summary"
                    + " in --out (appends; runs already there are skipped).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--matrix", description = "Matrix file (default: the built-in matrix).")
        Path matrix;

        // A String, not a Path: the CLI's precheck would refuse an existing --out file; this one is appended to.
        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE.csv",
                description = "The dataset's csv (csap512 rows), appended to; beside it FILE.meta.jsonl,"
                        + " FILE.manifest.json, FILE.summary.md/.json and the scratch folder FILE.work/.")
        String outCsv;

        @Option(
                names = "--workloads",
                split = ",",
                description = "Only these workloads of the matrix (comma-separated).")
        java.util.List<String> workloads;

        @Option(
                names = "--algorithms",
                description = "Algorithms to run (default: all five), e.g. PRECOPY,POSTCOPY or PRE,POST.")
        String algorithms;

        @Option(
                names = "--model",
                description =
                        "Model file the advisor serves, or `bundled` for the bundled prior "
                                + "(default: the lab model, the prior calibrated on the QEMU-10 lab dataset, models/lab-qemu10-tcg.lmm).")
        Path model;

        @Option(names = "--json", description = "Print summary.json instead of summary.md at the end.")
        boolean json;

        @picocli.CommandLine.Mixin
        GuestOptions guests;

        @Option(
                names = "--profile-timeout",
                defaultValue = "150s",
                converter = DurationConverter.class,
                description =
                        "Longest wait for the advisor's recommendation on a full window (default: ${DEFAULT-VALUE}).")
        Duration profileTimeout;

        @Override
        public Integer call() throws Exception {
            LabRunStore.Layout layout = new LabRunStore.Layout(Path.of(outCsv));
            Path out = layout.rows();
            LabAssets a = guests.usableAssets();
            LabMatrix m = matrix == null ? LabMatrix.defaultMatrix() : LabMatrix.read(matrix);
            if (workloads != null) {
                workloads.forEach(m::workload); // an unknown name fails here, before anything boots
            }
            java.util.List<io.lmadvisor.model.Algorithm> algs = LabRun.algorithms(algorithms);
            LabGuest.Accel chosen = guests.accel(a, layout.work(), "lab run");
            LabRun.Options o = new LabRun.Options(
                    a,
                    guests.qemu,
                    m,
                    workloads,
                    algs,
                    model,
                    out,
                    chosen,
                    guests.maxLoad(),
                    guests.quietWait,
                    profileTimeout,
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(5));
            try (LabRun run = new LabRun(o, System.out::println)) {
                // Ctrl-C: the runs so far are on disk already; the session's manifest entry and summary too.
                Thread hook = new Thread(
                        () -> {
                            try {
                                run.recordBatch();
                            } catch (java.io.IOException | RuntimeException e) {
                                System.err.println("lm-advisor lab run: could not write " + layout.manifest() + ": "
                                        + e.getMessage());
                            }
                        },
                        "lab-run-manifest");
                Runtime.getRuntime().addShutdownHook(hook);
                int n = run.run();
                Runtime.getRuntime().removeShutdownHook(hook);
                String md = run.store().writeSummary();
                System.out.println(json ? java.nio.file.Files.readString(layout.summaryJson()) : md);
                System.out.println("lab run: " + n + " runs recorded in " + out + " ("
                        + run.store().metas().size() + " in all)");
                return 0;
            }
        }
    }

    @Command(
            name = "matrix",
            mixinStandardHelpOptions = true,
            description = "Check a matrix file and list its workloads (default: the built-in matrix).")
    static final class Matrix implements Callable<Integer> {
        @Option(names = "--matrix", description = "Matrix file (YAML, docs/LAB.md).")
        Path matrix;

        @Override
        public Integer call() {
            LabMatrix m = matrix == null ? LabMatrix.defaultMatrix() : LabMatrix.read(matrix);
            System.out.printf(
                    Locale.ROOT,
                    "%-22s %7s %7s %7s %9s %6s %7s %5s %8s%n",
                    "name",
                    "ramMiB",
                    "bufMiB",
                    "wssMiB",
                    "dirtyPps",
                    "bpp",
                    "entropy",
                    "cpu",
                    "bwMiBps");
            for (Workload w : m.workloads()) {
                System.out.printf(
                        Locale.ROOT,
                        "%-22s %7d %7d %7d %9s %6d %7s %5d %8d%n",
                        w.name(),
                        w.ramMiB(),
                        w.bufMiB(),
                        w.wssMiB(),
                        w.dirtyPagesPerSec() == Workload.MAX_RATE ? "max" : w.dirtyPagesPerSec(),
                        w.bytesPerPage(),
                        w.entropy(),
                        w.cpuUnitsPerPage(),
                        w.bandwidthMiBps());
            }
            System.out.println("lab matrix: " + m.workloads().size() + " workloads in " + m.source());
            return 0;
        }
    }
}
