package io.lmadvisor.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The QEMU binary the lab runs, and its version. */
public final class Qemu {
    public static final String BINARY = "qemu-system-x86_64";
    /** QEMU 7.2 corrupts TCG guests during migration (fixed in 9.0). */
    public static final int MIN_MAJOR = 9;

    public static final String INSTALL_HINT = "as root: echo 'deb http://deb.debian.org/debian bookworm-backports main'"
            + " > /etc/apt/sources.list.d/lm-advisor-backports.list && apt-get update"
            + " && apt-get install -t bookworm-backports qemu-system-x86";

    private Qemu() {}

    public record Version(int major, int minor, int micro) {
        public boolean supported() {
            return major >= MIN_MAJOR;
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + micro;
        }
    }

    private static final Pattern VERSION = Pattern.compile("version (\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** The version in {@code qemu-system-x86_64 --version} output. */
    public static Optional<Version> parseVersion(String output) {
        Matcher m = VERSION.matcher(output == null ? "" : output);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new Version(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    /** The version of {@code binary}, or empty when it does not run. */
    public static Optional<Version> installed(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? parseVersion(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Why the lab cannot run with {@code binary}, or empty when it can. */
    public static Optional<String> unusable(String binary) {
        Optional<Version> v = installed(binary);
        if (v.isEmpty()) {
            return Optional.of(binary + " is not installed (install QEMU >= " + MIN_MAJOR + ", " + INSTALL_HINT + ")");
        }
        if (!v.get().supported()) {
            return Optional.of(binary + " is QEMU " + v.get() + ", older than " + MIN_MAJOR
                    + " (it corrupts TCG guests during migration; " + INSTALL_HINT + ")");
        }
        return Optional.empty();
    }
}
