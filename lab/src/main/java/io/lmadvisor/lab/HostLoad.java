package io.lmadvisor.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The host's 1-minute load: TCG timing depends on it, so the lab records it and waits (bounded)
 * for a quiet machine before a run.
 */
public final class HostLoad {
    static final Path LOADAVG = Path.of("/proc/loadavg");

    /** Sleeps; tests pass one that does not. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private HostLoad() {}

    /** The first field of /proc/loadavg. */
    static double parseLoad1(String loadavg) {
        String[] f = loadavg.strip().split("\\s+");
        try {
            return Double.parseDouble(f[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("unreadable " + LOADAVG + ": '" + loadavg.strip() + "'");
        }
    }

    public static double load1() {
        try {
            return parseLoad1(Files.readString(LOADAVG));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /**
     * Waits until the 1-minute load is at most {@code maxLoad1}, at most {@code maxWait}, with a
     * status line per check. Returns the last load seen: the run goes ahead either way, and the
     * caller records it.
     */
    public static double awaitQuiet(
            double maxLoad1,
            Duration maxWait,
            Duration step,
            DoubleSupplier load,
            Sleeper sleeper,
            Consumer<String> status)
            throws InterruptedException {
        double l = load.getAsDouble();
        Duration waited = Duration.ZERO;
        while (!(l <= maxLoad1) && waited.compareTo(maxWait) < 0) {
            status.accept(String.format(
                    Locale.ROOT,
                    "host: 1-min load %.2f above %.2f, waiting for a quiet machine (%d s of %d s)",
                    l,
                    maxLoad1,
                    waited.toSeconds(),
                    maxWait.toSeconds()));
            sleeper.sleep(step);
            waited = waited.plus(step);
            l = load.getAsDouble();
        }
        status.accept(String.format(
                Locale.ROOT,
                "host: 1-min load %.2f%s",
                l,
                l <= maxLoad1
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", still above %.2f after %d s: going ahead (recorded)",
                                maxLoad1,
                                maxWait.toSeconds())));
        return l;
    }
}
