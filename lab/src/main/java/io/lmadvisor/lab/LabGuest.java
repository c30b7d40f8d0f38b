package io.lmadvisor.lab;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One lab guest: a QEMU process (q35, one vCPU, kernel + initramfs, the workload's parameters on
 * the kernel command line) with its serial console logged to a file, and two QMP monitors so that
 * an agent and an executor can talk to it at once. A destination starts with {@code -incoming
 * defer}: whoever migrates sets its capabilities, then sends {@code migrate-incoming} with
 * {@link #incomingUri()}.
 *
 * <p>No orphan QEMU: each is started through {@code setpriv --pdeathsig KILL} from one long-lived
 * launcher thread (the death signal follows the thread that forked), a shutdown hook stops the
 * live ones, and a pid file lets the next run reap what a killed JVM left (QEMU 10.0 has no
 * {@code -run-with exit-with-parent}).
 */
public final class LabGuest implements AutoCloseable {
    public enum Role {
        SOURCE,
        DESTINATION
    }

    public enum Accel {
        KVM,
        TCG
    }

    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lab-qemu-launcher");
        t.setDaemon(true);
        return t;
    });
    private static final Set<LabGuest> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(LabGuest::close), "lab-qemu-stop"));
    }

    private final String name;
    private final Role role;
    private final Workload workload;
    private final LabAssets assets;
    private final Path runDir;
    private final Accel accel;
    private final String qemuBinary;
    private final int incomingPort;
    private Process process;

    private LabGuest(Builder b) {
        this.name = b.name;
        this.role = b.role;
        this.workload = b.workload;
        this.assets = b.assets;
        this.runDir = b.runDir;
        this.accel = b.accel;
        this.qemuBinary = b.qemuBinary;
        this.incomingPort = b.role == Role.DESTINATION ? (b.incomingPort > 0 ? b.incomingPort : freePort()) : 0;
    }

    public static Builder builder(String name, LabAssets assets, Path runDir, Workload workload) {
        return new Builder(name, assets, runDir, workload);
    }

    public static final class Builder {
        private final String name;
        private final LabAssets assets;
        private final Path runDir;
        private final Workload workload;
        private Role role = Role.SOURCE;
        private Accel accel = Accel.TCG;
        private String qemuBinary = Qemu.BINARY;
        private int incomingPort;

        private Builder(String name, LabAssets assets, Path runDir, Workload workload) {
            if (!name.matches("[a-z0-9-]{1,20}")) {
                throw new IllegalArgumentException("guest name '" + name + "' must be 1-20 of a-z, 0-9, '-'");
            }
            this.name = name;
            this.assets = assets;
            this.runDir = runDir;
            this.workload = workload;
        }

        public Builder role(Role r) {
            role = r;
            return this;
        }

        public Builder accel(Accel a) {
            accel = a;
            return this;
        }

        public Builder qemuBinary(String b) {
            qemuBinary = b;
            return this;
        }

        /** The destination's loopback port (default: a free one). */
        public Builder incomingPort(int p) {
            incomingPort = p;
            return this;
        }

        public LabGuest build() {
            return new LabGuest(this);
        }
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    public Workload workload() {
        return workload;
    }

    public Accel accel() {
        return accel;
    }

    /** The monitor the agent (qmp source) samples. */
    public Path agentQmpSocket() {
        return runDir.resolve(name + ".qmp-agent.sock");
    }

    /** The monitor the executor migrates through. */
    public Path executorQmpSocket() {
        return runDir.resolve(name + ".qmp-exec.sock");
    }

    public Path serialLog() {
        return runDir.resolve(name + ".serial.log");
    }

    /** Lines written here reach the workload's stdin ("v" = verify). */
    Path serialSocket() {
        return runDir.resolve(name + ".serial.sock");
    }

    public Path qemuLog() {
        return runDir.resolve(name + ".qemu.log");
    }

    public Path pidFile() {
        return runDir.resolve(name + ".pid");
    }

    /** For a destination, the URI for {@code migrate-incoming} and the source's {@code migrate}. */
    public String incomingUri() {
        if (role != Role.DESTINATION) {
            throw new IllegalStateException(name + " is a source: it has no incoming URI");
        }
        return "tcp:127.0.0.1:" + incomingPort;
    }

    /** The guest kernel's command line. */
    public String kernelCommandLine() {
        // loglevel=1 keeps kernel chatter off the workload's lines; panic=-1 with -no-reboot ends QEMU.
        return "console=ttyS0 loglevel=1 panic=-1 " + workload.kernelArgs();
    }

    /** QEMU's command line (without the setpriv prefix). */
    public List<String> commandLine() {
        List<String> c = new ArrayList<>(List.of(
                qemuBinary,
                "-name",
                "guest=" + name + ",debug-threads=on",
                "-machine",
                "q35",
                "-accel",
                accel == Accel.KVM ? "kvm" : "tcg"));
        if (accel == Accel.KVM) {
            c.addAll(List.of("-cpu", "host"));
        }
        c.addAll(List.of(
                "-smp",
                "1",
                "-m",
                Integer.toString(workload.ramMiB()),
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
                "-kernel",
                assets.kernel().toString(),
                "-initrd",
                assets.initramfs().toString(),
                "-append",
                kernelCommandLine(),
                "-chardev",
                "socket,id=serial0,path=" + serialSocket() + ",server=on,wait=off,logfile=" + serialLog(),
                "-serial",
                "chardev:serial0",
                "-qmp",
                "unix:" + agentQmpSocket() + ",server=on,wait=off",
                "-qmp",
                "unix:" + executorQmpSocket() + ",server=on,wait=off",
                "-pidfile",
                pidFile().toString()));
        if (role == Role.DESTINATION) {
            c.addAll(List.of("-incoming", "defer"));
        }
        return c;
    }

    /** Starts QEMU; returns when its QMP sockets exist. */
    public LabGuest start() throws IOException {
        if (process != null) {
            throw new IllegalStateException(name + " already started");
        }
        Files.createDirectories(runDir);
        reapStale(pidFile());
        for (Path p : List.of(agentQmpSocket(), executorQmpSocket(), serialSocket(), serialLog(), qemuLog())) {
            Files.deleteIfExists(p);
        }
        List<String> cmd = new ArrayList<>();
        if (LabSetup.onPath("setpriv")) {
            cmd.addAll(List.of("setpriv", "--pdeathsig", "KILL"));
        }
        cmd.addAll(commandLine());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(qemuLog().toFile());
        try {
            process = LAUNCHER.submit(pb::start).get();
        } catch (ExecutionException e) {
            throw new LabException(
                    "cannot start " + qemuBinary + " (" + e.getCause().getMessage() + ")", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        }
        LIVE.add(this);
        waitFor(
                () -> Files.exists(executorQmpSocket()) && Files.exists(agentQmpSocket())
                        ? Optional.of(true)
                        : Optional.empty(),
                Duration.ofSeconds(30),
                "its QMP sockets");
        return this;
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The serial log so far ("" before the first line). */
    public String serialText() {
        try {
            return Files.exists(serialLog()) ? Files.readString(serialLog(), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public List<WorkloadOutput.Rate> rates() {
        return WorkloadOutput.rates(serialText());
    }

    /** Waits for the workload's "ready" line (its buffer is touched). */
    public void awaitReady(Duration timeout) {
        waitFor(
                () -> {
                    for (String line : serialText().split("\n")) {
                        Optional<String> err = WorkloadOutput.error(line);
                        if (err.isPresent()) {
                            throw new LabException(
                                    name + ": the workload failed: " + err.get() + " (see " + serialLog() + ")");
                        }
                        if (WorkloadOutput.isReady(line)) {
                            return Optional.of(true);
                        }
                    }
                    return Optional.empty();
                },
                timeout,
                "the workload's ready line in " + serialLog());
    }

    /** Waits until the workload has printed at least {@code count} rate lines in all. */
    public List<WorkloadOutput.Rate> awaitRates(int count, Duration timeout) {
        return waitFor(
                () -> {
                    List<WorkloadOutput.Rate> r = rates();
                    return r.size() >= count ? Optional.of(r) : Optional.empty();
                },
                timeout,
                count + " rate lines in " + serialLog());
    }

    /** Asks the workload for a full verification (a "v" line on its console) and waits for the result. */
    public WorkloadOutput.Verification verify(Duration timeout) throws IOException {
        int before = verifications().size();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(serialSocket()));
            ch.write(ByteBuffer.wrap("v\n".getBytes(StandardCharsets.US_ASCII)));
        }
        return waitFor(
                () -> {
                    List<WorkloadOutput.Verification> v = verifications();
                    return v.size() > before ? Optional.of(v.get(v.size() - 1)) : Optional.empty();
                },
                timeout,
                "the workload's verification line in " + serialLog());
    }

    private List<WorkloadOutput.Verification> verifications() {
        List<WorkloadOutput.Verification> out = new ArrayList<>();
        for (String line : serialText().split("\n")) {
            WorkloadOutput.verification(line).ifPresent(out::add);
        }
        return out;
    }

    /** Polls {@code probe} until it has a value; fails early, with QEMU's last words, when QEMU exits. */
    <T> T waitFor(Supplier<Optional<T>> probe, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (process != null && !process.isAlive()) {
                throw new LabException(name + ": QEMU exited (status " + process.exitValue() + ") before " + what + ": "
                        + lastLine(qemuLog()));
            }
            if (System.nanoTime() > deadline) {
                throw new LabException(name + ": no " + what + " within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException(name + ": interrupted while waiting for " + what, e);
            }
        }
    }

    static String lastLine(Path p) {
        try {
            List<String> lines = Files.readAllLines(p, StandardCharsets.ISO_8859_1);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "(" + p + " is empty)";
        } catch (IOException e) {
            return "(no " + p + ")";
        }
    }

    /** Stops QEMU (SIGTERM, then SIGKILL after 10 s) and removes its sockets and pid file. */
    @Override
    public void close() {
        LIVE.remove(this);
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Path p : List.of(agentQmpSocket(), executorQmpSocket(), serialSocket(), pidFile())) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // Best effort: a stale socket is replaced at the next start.
            }
        }
    }

    /**
     * Kills a QEMU left by a killed JVM: the pid in {@code pidFile}, if that process is a QEMU whose
     * command line names this pid file (so an unrelated process that reused the pid is spared).
     */
    static boolean reapStale(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return false;
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
            if (!Files.exists(cmdline)) {
                return false;
            }
            String cmd = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ');
            if (!cmd.contains("qemu") || !cmd.contains(pidFile.toString())) {
                return false;
            }
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            h.ifPresent(ProcessHandle::destroyForcibly);
            return h.isPresent();
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Reaps every stale QEMU whose pid file lies in {@code runDir}; returns how many. */
    public static int reapStaleIn(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(runDir)) {
            return (int) s.filter(p -> p.toString().endsWith(".pid"))
                    .filter(LabGuest::reapStale)
                    .count();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new LabException("no free loopback port for the incoming migration (" + e.getMessage() + ")", e);
        }
    }

    /**
     * KVM where it really runs a guest, else TCG. Opening /dev/kvm is not enough (here it belongs to
     * a PVM module that fails at the first vCPU MSR write), so the probe boots a tiny lab guest under
     * KVM and waits for the workload's ready line.
     */
    public static AccelChoice probeAccel(LabAssets assets, Path runDir, String qemuBinary) {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return new AccelChoice(Accel.TCG, "/dev/kvm is absent or not read-writable");
        }
        Workload tiny = new Workload("kvm-probe", 256, 1, 1, 0, 4096, "random", 0, 1, 300, 1);
        try (LabGuest g = builder("kvm-probe", assets, runDir, tiny)
                .accel(Accel.KVM)
                .qemuBinary(qemuBinary)
                .build()) {
            g.start();
            g.awaitReady(Duration.ofSeconds(30));
            return new AccelChoice(Accel.KVM, "a KVM guest booted");
        } catch (LabException | IOException e) {
            return new AccelChoice(Accel.TCG, "KVM does not run a guest here: " + e.getMessage());
        }
    }

    public record AccelChoice(Accel accel, String reason) {}
}
