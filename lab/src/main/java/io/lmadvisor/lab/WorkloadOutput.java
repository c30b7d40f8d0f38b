package io.lmadvisor.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The workload program's serial-console lines (see workload.c): rate lines, verifications, ready. */
public final class WorkloadOutput {
    static final String PREFIX = "LMW ";

    private WorkloadOutput() {}

    /** One second of work: pages dirtied and CPU work units done in it, bad pages seen so far. */
    public record Rate(long t, long pages, long ops, long bad, boolean ok) {}

    /** A full verification of every page of the buffer. */
    public record Verification(long pages, long bad, long ms, boolean ok) {}

    /** A rate line, or empty when {@code line} is another kind of line (or garbled by kernel output). */
    public static Optional<Rate> rate(String line) {
        Map<String, String> kv = fields(line, "t");
        if (kv == null || !kv.keySet().containsAll(List.of("t", "pages", "ops", "bad", "ok"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Rate(
                    Long.parseLong(kv.get("t")),
                    Long.parseLong(kv.get("pages")),
                    Long.parseLong(kv.get("ops")),
                    Long.parseLong(kv.get("bad")),
                    "1".equals(kv.get("ok"))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static Optional<Verification> verification(String line) {
        Map<String, String> kv = fields(line, "verify");
        if (kv == null || !kv.keySet().containsAll(List.of("pages", "bad", "ms", "ok"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Verification(
                    Long.parseLong(kv.get("pages")),
                    Long.parseLong(kv.get("bad")),
                    Long.parseLong(kv.get("ms")),
                    "1".equals(kv.get("ok"))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static boolean isReady(String line) {
        return fields(line, "ready") != null;
    }

    /** An error line of the workload (e.g. it could not allocate its buffer), or empty. */
    public static Optional<String> error(String line) {
        int i = line.indexOf(PREFIX + "error ");
        return i < 0
                ? Optional.empty()
                : Optional.of(line.substring(i + PREFIX.length() + 6).strip());
    }

    /**
     * The key=value fields of an {@code LMW <kind> ...} line; for rate lines {@code kind} is "t", the
     * first key. Null when the line is not of that kind.
     */
    private static Map<String, String> fields(String line, String kind) {
        int i = line.indexOf(PREFIX);
        if (i < 0) {
            return null;
        }
        String[] tokens = line.substring(i + PREFIX.length()).strip().split("\\s+");
        boolean rateLine = kind.equals("t");
        if (tokens.length == 0 || (rateLine ? !tokens[0].startsWith("t=") : !tokens[0].equals(kind))) {
            return null;
        }
        Map<String, String> kv = new HashMap<>();
        for (int k = rateLine ? 0 : 1; k < tokens.length; k++) {
            int eq = tokens[k].indexOf('=');
            if (eq > 0) {
                kv.put(tokens[k].substring(0, eq), tokens[k].substring(eq + 1));
            }
        }
        return kv;
    }

    /** All rate lines in a serial log's text, in order. */
    public static List<Rate> rates(String log) {
        List<Rate> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            rate(line).ifPresent(out::add);
        }
        return out;
    }

    /** The mean pages/s over rate lines (NaN for none). */
    public static double meanPagesPerSec(List<Rate> rates) {
        return rates.stream().mapToLong(Rate::pages).average().orElse(Double.NaN);
    }

    /** The mean CPU work units/s over rate lines (NaN for none). */
    public static double meanOpsPerSec(List<Rate> rates) {
        return rates.stream().mapToLong(Rate::ops).average().orElse(Double.NaN);
    }
}
