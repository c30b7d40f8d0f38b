package io.lmadvisor.qmp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real QEMU processes for tests. As a {@code @RegisterExtension} field it skips each test, with the
 * reason, without QEMU 9+, and stops after each test the QEMUs it started.
 */
public final class RealQemu implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    public static final String QEMU = "qemu-system-x86_64";

    private final List<Process> started = new ArrayList<>();

    /**
     * Skips the calling test, with the reason, unless {@value #QEMU} 9 or newer is on PATH. Call it
     * from {@code @BeforeEach}, not {@code @BeforeAll}, so Surefire lists the test as skipped with it.
     */
    public static void assumeQemu9() {
        String version;
        try {
            Process p = new ProcessBuilder(QEMU, "--version")
                    .redirectErrorStream(true)
                    .start();
            version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            version = "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            version = "";
        }
        Matcher m = Pattern.compile("version (\\d+)\\.").matcher(version);
        assumeTrue(
                m.find() && Integer.parseInt(m.group(1)) >= 9,
                QEMU + " >= 9 is not on PATH (apt-get install -t bookworm-backports qemu-system-x86); found: '"
                        + version.strip() + "'");
    }

    // Before each test, not all, so Surefire lists every test as skipped with the reason.
    @Override
    public void beforeEach(ExtensionContext context) {
        assumeQemu9();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        close();
    }

    /** Starts {@value #QEMU} with {@code args}, its output going to {@code log}. */
    public Process start(Path log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(QEMU);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        started.add(p);
        return p;
    }

    /** Stops every QEMU it started. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        started.clear();
    }
}
