package io.lmadvisor.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the lab's assets from Debian packages only: QEMU >= 9 (bookworm-backports), a guest
 * kernel from the package {@code linux-image-cloud-amd64} depends on, busybox-static, and the
 * workload program compiled with {@code gcc -static}. Idempotent: what exists and checks out is kept.
 */
public final class LabSetup {
    static final String KERNEL_META = "linux-image-cloud-amd64";
    static final String WORKLOAD_SOURCE = "/lab/c/workload.c";
    static final String BACKPORTS = "deb http://deb.debian.org/debian bookworm-backports main";
    static final Path BACKPORTS_LIST = Path.of("/etc/apt/sources.list.d/lm-advisor-backports.list");
    static final String INIT = """
      #!/bin/busybox sh
      /bin/busybox mount -t proc proc /proc
      /bin/busybox mount -t sysfs sys /sys
      /bin/busybox mount -t devtmpfs dev /dev
      # The workload is PID 1: if it dies the kernel panics and QEMU (-no-reboot) exits.
      exec /lmw </dev/ttyS0 >/dev/ttyS0 2>&1
      """;

    private final LabAssets assets;
    private final Consumer<String> progress;
    private final String qemuBinary;

    public LabSetup(LabAssets assets, String qemuBinary, Consumer<String> progress) {
        this.assets = assets;
        this.qemuBinary = qemuBinary;
        this.progress = progress;
    }

    /** Runs every step; throws {@link LabException} with what to do when one cannot be done. */
    public void run() throws IOException {
        Files.createDirectories(assets.dir());
        qemu();
        toolchain();
        kernel();
        busybox();
        boolean rebuilt = workload();
        initramfs(rebuilt);
        assets.problem().ifPresent(p -> {
            throw new LabException("setup finished but the assets do not check out: " + p);
        });
        deleteTree(assets.dir().resolve("debs"));
        say("assets ready in " + assets.dir() + " (kernel " + read(assets.dir().resolve("kernel.version"))
                + ", initramfs " + Files.size(assets.initramfs()) / 1024 + " KiB)");
    }

    private void say(String line) {
        progress.accept("lab setup: " + line);
    }

    private void qemu() {
        Optional<Qemu.Version> v = Qemu.installed(qemuBinary);
        if (v.isPresent() && v.get().supported()) {
            say("QEMU " + v.get() + " found (" + qemuBinary + ")");
            return;
        }
        String have = v.map(x -> "QEMU " + x + " is too old").orElse(qemuBinary + " is not installed");
        if (!isRoot() || !onPath("apt-get")) {
            throw new LabException(have + "; the lab needs QEMU >= " + Qemu.MIN_MAJOR + ": run " + Qemu.INSTALL_HINT);
        }
        say(have + "; installing qemu-system-x86 from bookworm-backports");
        try {
            if (!Files.exists(BACKPORTS_LIST)) {
                Files.writeString(BACKPORTS_LIST, BACKPORTS + "\n");
            }
            run(assets.dir(), "apt-get", "update", "-qq");
            run(
                    assets.dir(),
                    "apt-get",
                    "install",
                    "-y",
                    "-qq",
                    "--no-install-recommends",
                    "-t",
                    "bookworm-backports",
                    "qemu-system-x86");
        } catch (IOException | LabException e) {
            throw new LabException("could not install QEMU (" + e.getMessage() + "); run " + Qemu.INSTALL_HINT, e);
        }
        Qemu.unusable(qemuBinary).ifPresent(p -> {
            throw new LabException(p);
        });
        say("QEMU " + Qemu.installed(qemuBinary).orElseThrow() + " installed");
    }

    private void toolchain() {
        boolean gcc = onPath("gcc");
        boolean libc = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libc.a"));
        if (gcc && libc) {
            say("gcc and static libc found");
            return;
        }
        if (!isRoot() || !onPath("apt-get")) {
            throw new LabException(
                    "the workload needs gcc and a static libc: as root run apt-get install gcc libc6-dev");
        }
        say("installing gcc libc6-dev");
        run(assets.dir(), "apt-get", "install", "-y", "-qq", "--no-install-recommends", "gcc", "libc6-dev");
    }

    private void kernel() throws IOException {
        Path versionFile = assets.dir().resolve("kernel.version");
        if (LabAssets.isKernel(assets.kernel()) && Files.exists(versionFile)) {
            say("kernel kept (" + read(versionFile) + ")");
            return;
        }
        String pkg = kernelPackage(run(assets.dir(), "apt-cache", "depends", KERNEL_META));
        Path root = extract(pkg);
        Path vmlinuz;
        try (Stream<Path> s = Files.list(root.resolve("boot"))) {
            vmlinuz = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .findFirst()
                    .orElseThrow(() -> new LabException(pkg + " holds no boot/vmlinuz-*"));
        }
        Files.copy(vmlinuz, assets.kernel(), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(versionFile, vmlinuz.getFileName().toString().substring("vmlinuz-".length()));
        if (!LabAssets.isKernel(assets.kernel())) {
            throw new LabException(assets.kernel() + " from " + pkg + " is not an x86 Linux boot image");
        }
        say("kernel extracted from " + pkg + " (" + Files.size(assets.kernel()) / 1024 + " KiB)");
    }

    /** The image package in {@code apt-cache depends linux-image-cloud-amd64} output. */
    static String kernelPackage(String aptCacheDepends) {
        for (String line : aptCacheDepends.split("\n")) {
            String t = line.strip();
            if (t.startsWith("Depends: linux-image-")) {
                return t.substring("Depends: ".length()).strip();
            }
        }
        throw new LabException("apt-cache depends " + KERNEL_META + " names no linux-image package"
                + " (is Debian's main archive in the apt sources?)");
    }

    private void busybox() throws IOException {
        if (Files.isExecutable(assets.busybox())) {
            say("busybox kept");
            return;
        }
        Path root = extract("busybox-static");
        Files.copy(root.resolve("bin/busybox"), assets.busybox(), StandardCopyOption.REPLACE_EXISTING);
        assets.busybox().toFile().setExecutable(true);
        say("busybox extracted from busybox-static");
    }

    /** apt-get download + dpkg-deb -x into a scratch folder: nothing is installed. */
    private Path extract(String pkg) throws IOException {
        Path debs = assets.dir().resolve("debs");
        Files.createDirectories(debs);
        say("downloading " + pkg);
        run(debs, "apt-get", "download", pkg);
        Path deb;
        try (Stream<Path> s = Files.list(debs)) {
            deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                            && p.toString().endsWith(".deb"))
                    .findFirst()
                    .orElseThrow(() -> new LabException("apt-get download " + pkg + " left no .deb in " + debs));
        }
        Path root = debs.resolve(pkg);
        Files.createDirectories(root);
        run(debs, "dpkg-deb", "-x", deb.toString(), root.toString());
        return root;
    }

    /** Compiles workload.c unless the binary was built from the same source; true when it (re)built. */
    private boolean workload() throws IOException {
        byte[] source;
        try (InputStream in = LabSetup.class.getResourceAsStream(WORKLOAD_SOURCE)) {
            if (in == null) {
                throw new LabException("the workload source " + WORKLOAD_SOURCE + " is missing from the lab jar");
            }
            source = in.readAllBytes();
        }
        String hash = sha256(source);
        Path stamp = assets.dir().resolve("lmw.sha256");
        if (Files.isExecutable(assets.workloadBinary())
                && Files.exists(stamp)
                && read(stamp).equals(hash)) {
            say("workload kept (source unchanged)");
            return false;
        }
        Path src = assets.dir().resolve("workload.c");
        Files.write(src, source);
        run(
                assets.dir(),
                "gcc",
                "-static",
                "-O2",
                "-Wall",
                "-o",
                assets.workloadBinary().toString(),
                src.toString());
        Files.writeString(stamp, hash);
        say("workload compiled (gcc -static -O2, " + Files.size(assets.workloadBinary()) / 1024 + " KiB)");
        return true;
    }

    private void initramfs(boolean workloadRebuilt) throws IOException {
        if (!workloadRebuilt && assets.problem().isEmpty()) {
            say("initramfs kept");
            return;
        }
        Path tmp = assets.dir().resolve("initramfs.tmp");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp))) {
            write(new Cpio(out));
        }
        Files.move(tmp, assets.initramfs(), StandardCopyOption.REPLACE_EXISTING);
        say("initramfs written (busybox, init, lmw; cpio newc, gzip)");
    }

    private void write(Cpio c) throws IOException {
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp")) {
            c.dir(d);
        }
        // The kernel opens /dev/console before init mounts devtmpfs.
        c.charDevice("dev/console", 0600, 5, 1);
        c.file("bin/busybox", 0755, Files.readAllBytes(assets.busybox()));
        c.symlink("bin/sh", "busybox");
        c.file("init", 0755, INIT.getBytes(StandardCharsets.US_ASCII));
        c.file("lmw", 0755, Files.readAllBytes(assets.workloadBinary()));
        c.finish();
    }

    /** The downloaded packages and their unpacked trees are not needed once the assets are copied out. */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p).strip();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command; a failure becomes one sentence with the command and its last output line. */
    static String run(Path cwd, String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd)
                    .directory(cwd.toFile())
                    .redirectErrorStream(true)
                    .start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new LabException(String.join(" ", cmd) + " did not finish within 30 minutes");
            }
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String[] lines = text.strip().split("\n");
                throw new LabException(
                        String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + lines[lines.length - 1]);
            }
            return text;
        } catch (IOException e) {
            throw new LabException("cannot run " + cmd.get(0) + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException(String.join(" ", cmd) + " was interrupted", e);
        }
    }
}
