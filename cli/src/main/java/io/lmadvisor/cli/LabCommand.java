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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The QEMU lab: guest assets and real migrations on this machine (docs/LAB.md). */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "QEMU lab: build guest assets, boot guests, migrate them for real (docs/LAB.md).",
        subcommands = {LabCommand.Setup.class, LabCommand.Smoke.class, LabCommand.Matrix.class})
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

    @Command(name = "setup", mixinStandardHelpOptions = true,
            description = "Build the guest kernel, busybox initramfs and workload from Debian packages; find or install QEMU >= 9.")
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

    @Command(name = "smoke", mixinStandardHelpOptions = true,
            description = "Boot a source and a destination guest, migrate one workload once (pre-copy, plain QMP)"
                    + " and verify the destination's memory.")
    static final class Smoke implements Callable<Integer> {
        @Option(names = "--dir", description = "Assets folder (default: $LM_LAB_DIR or ~/.cache/lm-advisor/lab).")
        Path dir;

        @Option(names = "--qemu", defaultValue = Qemu.BINARY, description = "QEMU binary (default: ${DEFAULT-VALUE}).")
        String qemu;

        @Option(names = "--matrix", description = "Matrix file to take --workload from (default: the built-in matrix).")
        Path matrix;

        @Option(names = "--workload", description = "Workload name in the matrix (default: a small built-in one).")
        String workload;

        @Option(names = "--accel", defaultValue = "auto", description = "auto (KVM where it runs a guest, else TCG), kvm or tcg.")
        String accel;

        @Option(names = "--timeout", defaultValue = "180s", converter = DurationConverter.class,
                description = "Cancel the migration after this long (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--max-load", defaultValue = "-1",
                description = "Wait for the host's 1-min load to drop to this (default: half the cores).")
        double maxLoad;

        @Option(names = "--quiet-wait", defaultValue = "60s", converter = DurationConverter.class,
                description = "Longest wait for a quiet host before going ahead (default: ${DEFAULT-VALUE}).")
        Duration quietWait;

        @Override
        public Integer call() throws Exception {
            LabAssets a = assets(dir);
            Qemu.unusable(qemu).ifPresent(p -> {
                throw new LabException(p);
            });
            a.problem().ifPresent(p -> {
                throw new LabException(p);
            });
            Workload w = workload == null ? Workload.smoke()
                    : (matrix == null ? LabMatrix.defaultMatrix() : LabMatrix.read(matrix)).workload(workload);
            Path runDir = a.dir().resolve("work").resolve("smoke");
            int reaped = LabGuest.reapStaleIn(runDir);
            if (reaped > 0) {
                System.out.println("lab smoke: stopped " + reaped + " QEMU left by an earlier run");
            }
            LabGuest.Accel chosen = switch (accel.toLowerCase(Locale.ROOT)) {
                case "kvm" -> LabGuest.Accel.KVM;
                case "tcg" -> LabGuest.Accel.TCG;
                case "auto" -> {
                    LabGuest.AccelChoice c = LabGuest.probeAccel(a, runDir, qemu);
                    System.out.println("lab smoke: accel " + c.accel().name().toLowerCase(Locale.ROOT) + " (" + c.reason() + ")");
                    yield c.accel();
                }
                default -> throw new LabException("--accel '" + accel + "' must be auto, kvm or tcg");
            };
            double limit = maxLoad >= 0 ? maxLoad : Runtime.getRuntime().availableProcessors() * 0.5;
            HostLoad.awaitQuiet(limit, quietWait, Duration.ofSeconds(10), HostLoad::load1,
                    d -> Thread.sleep(d.toMillis()), s -> System.out.println("lab smoke: " + s));
            SmokeMigration.Result r = new SmokeMigration(a, runDir, chosen, qemu, System.out::println).run(w, timeout);
            System.out.println("lab smoke: " + r.summary());
            return r.integrityOk() ? 0 : 1;
        }
    }

    @Command(name = "matrix", mixinStandardHelpOptions = true,
            description = "Check a matrix file and list its workloads (default: the built-in matrix).")
    static final class Matrix implements Callable<Integer> {
        @Option(names = "--matrix", description = "Matrix file (YAML, docs/LAB.md).")
        Path matrix;

        @Override
        public Integer call() {
            LabMatrix m = matrix == null ? LabMatrix.defaultMatrix() : LabMatrix.read(matrix);
            System.out.printf(Locale.ROOT, "%-22s %7s %7s %7s %9s %6s %7s %5s %8s%n", "name", "ramMiB", "bufMiB",
                    "wssMiB", "dirtyPps", "bpp", "entropy", "cpu", "bwMiBps");
            for (Workload w : m.workloads()) {
                System.out.printf(Locale.ROOT, "%-22s %7d %7d %7d %9s %6d %7s %5d %8d%n", w.name(), w.ramMiB(), w.bufMiB(),
                        w.wssMiB(), w.dirtyPagesPerSec() == Workload.MAX_RATE ? "max" : w.dirtyPagesPerSec(),
                        w.bytesPerPage(), w.entropy(), w.cpuUnitsPerPage(), w.bandwidthMiBps());
            }
            System.out.println("lab matrix: " + m.workloads().size() + " workloads in " + m.source());
            return 0;
        }
    }
}
