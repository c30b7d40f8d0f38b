package io.lmadvisor.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** Where the lab's guest assets live, and whether they are usable. */
public record LabAssets(Path dir) {
    public static final String DIR_ENV = "LM_LAB_DIR";

    /** {@code $LM_LAB_DIR}, else {@code ~/.cache/lm-advisor/lab}. */
    public static LabAssets defaultDir(Map<String, String> env) {
        String d = env.get(DIR_ENV);
        if (d != null && !d.isBlank()) {
            return new LabAssets(Path.of(d));
        }
        return new LabAssets(Path.of(System.getProperty("user.home"), ".cache", "lm-advisor", "lab"));
    }

    public Path kernel() {
        return dir.resolve("vmlinuz");
    }

    public Path initramfs() {
        return dir.resolve("initramfs.cpio.gz");
    }

    Path busybox() {
        return dir.resolve("busybox");
    }

    Path workloadBinary() {
        return dir.resolve("lmw");
    }

    Path workDir() {
        return dir.resolve("work");
    }

    /** Why the assets cannot boot a guest, or empty when they can. */
    public Optional<String> problem() {
        if (!isKernel(kernel())) {
            return Optional.of("no guest kernel at " + kernel() + " (run: lm-advisor lab setup --dir " + dir + ")");
        }
        try {
            List<String> names = initramfsNames(initramfs());
            if (!names.contains("init") || !names.contains("lmw")) {
                return Optional.of(initramfs() + " lacks init or lmw (run: lm-advisor lab setup --dir " + dir + ")");
            }
        } catch (IOException e) {
            return Optional.of("no usable initramfs at " + initramfs() + " (" + e.getMessage()
                    + "; run: lm-advisor lab setup --dir " + dir + ")");
        }
        return Optional.empty();
    }

    /** Environment variable (or system property {@code lab.setup=true}) asking tests to build missing assets. */
    public static final String SETUP_ENV = "LM_LAB_SETUP";

    private static volatile boolean setupTried;

    /**
     * For real-QEMU tests: why they cannot run here (QEMU older than 9 or absent, no assets), or empty
     * when they can. With {@code LM_LAB_SETUP=1} (or {@code -Dlab.setup=true}, as CI sets) missing
     * assets are built first, once per JVM; a failed setup leaves the reason, so the test is skipped.
     */
    public static Optional<String> unusableForTests(LabAssets assets, Map<String, String> env) {
        Optional<String> qemu = Qemu.unusable(Qemu.BINARY);
        if (qemu.isPresent()) {
            return qemu;
        }
        boolean setUp = "1".equals(env.get(SETUP_ENV)) || Boolean.getBoolean("lab.setup");
        if (assets.problem().isPresent() && setUp) {
            synchronized (LabAssets.class) {
                if (!setupTried) {
                    setupTried = true;
                    try {
                        new LabSetup(assets, Qemu.BINARY, System.out::println).run();
                    } catch (Exception e) {
                        // A machine without network or apt cannot build them: the reason below skips the test.
                        System.out.println("lab setup failed: " + e.getMessage());
                    }
                }
            }
        }
        return assets.problem().map(p -> "lab assets: " + p);
    }

    /** An x86 Linux boot image: "HdrS" at offset 0x202. */
    static boolean isKernel(Path p) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(0x206);
            return head.length == 0x206
                    && head[0x202] == 'H'
                    && head[0x203] == 'd'
                    && head[0x204] == 'r'
                    && head[0x205] == 'S';
        } catch (IOException e) {
            return false;
        }
    }

    static List<String> initramfsNames(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("missing");
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return Cpio.list(in);
        }
    }
}
