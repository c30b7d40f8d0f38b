package io.lmadvisor.agent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Parsers for the text files under /proc that the host and VM samplers read. They take the file's
 * text so they can be tested on fixed strings; malformed lines are skipped, not fatal.
 */
public final class ProcFiles {
    /** USER_HZ: /proc reports CPU times in these ticks on every Linux architecture the agent targets. */
    public static final double CLK_TCK = 100.0;

    private ProcFiles() {}

    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }

    /** Aggregate CPU times from /proc/stat. */
    public record CpuTimes(long idleTicks, long totalTicks, int cores) {}

    /** The {@code cpu} line of /proc/stat: idle = idle + iowait; total = every column (guest is inside user). */
    public static CpuTimes cpuTimes(String procStat) {
        long idle = -1;
        long total = 0;
        int cores = 0;
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                // user nice system idle iowait irq softirq steal [guest guest_nice]: guest is already in user.
                int columns = Math.min(f.length - 1, 8);
                for (int i = 1; i <= columns; i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 4 || i == 5) {
                        idle = Math.max(idle, 0) + v;
                    }
                }
            } else if (line.startsWith("cpu")) {
                cores++;
            }
        }
        if (idle < 0) {
            throw new IllegalArgumentException("/proc/stat has no aggregate cpu line");
        }
        return new CpuTimes(idle, total, cores);
    }

    /** /proc/meminfo values in kB by key (MemTotal, MemAvailable, ...). */
    public static Map<String, Long> meminfoKb(String meminfo) {
        Map<String, Long> kb = new HashMap<>();
        for (String line : meminfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            try {
                kb.put(line.substring(0, colon).trim(), Long.parseLong(f[0]));
            } catch (NumberFormatException e) {
                // Not a number: not a line we use.
            }
        }
        return kb;
    }

    /** Byte counters of one interface from /proc/net/dev. */
    public record NetBytes(long rxBytes, long txBytes) {}

    /** Interface name to received and transmitted bytes, from /proc/net/dev (or /proc/PID/net/dev). */
    public static Map<String, NetBytes> netDev(String netDev) {
        Map<String, NetBytes> byIf = new HashMap<>();
        for (String line : netDev.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // the two header lines have '|' and no colon before the counters
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 9) {
                continue;
            }
            try {
                byIf.put(line.substring(0, colon).trim(), new NetBytes(Long.parseLong(f[0]), Long.parseLong(f[8])));
            } catch (NumberFormatException e) {
                // Skip a garbled line; the interface then counts as unknown.
            }
        }
        return byIf;
    }

    /** The interface of the IPv4 default route (destination and mask 0) in /proc/net/route. */
    public static Optional<String> defaultRouteInterface(String route) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : route.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) {
                continue;
            }
            try {
                long metric = Long.parseLong(f[6]);
                if (metric < bestMetric) {
                    bestMetric = metric;
                    best = f[0];
                }
            } catch (NumberFormatException e) {
                // Header or garbled line.
            }
        }
        return Optional.ofNullable(best);
    }

    /** CPU ticks and start time of one process from /proc/PID/stat. */
    public record ProcessTimes(long utimeTicks, long stimeTicks, long startTimeTicks) {
        public long cpuTicks() {
            return utimeTicks + stimeTicks;
        }
    }

    /** Parses /proc/PID/stat; the command name in parentheses may itself contain spaces and ')'. */
    public static ProcessTimes processTimes(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line");
        }
        // After ")": field 3 (state) is index 0, so field n is index n - 3.
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        if (f.length < 20) {
            throw new IllegalArgumentException("/proc/PID/stat line too short: " + f.length + " fields after comm");
        }
        return new ProcessTimes(Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3]), Long.parseLong(f[22 - 3]));
    }
}
