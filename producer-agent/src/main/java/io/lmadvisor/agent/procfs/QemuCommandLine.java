package io.lmadvisor.agent.procfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the agent needs from a QEMU command line: VM id, configured RAM, vCPUs and tap interfaces. */
public final class QemuCommandLine {
    private static final Pattern JSON_IFNAME = Pattern.compile("\"ifname\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern JSON_TAP = Pattern.compile("\"type\"\\s*:\\s*\"tap\"");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKmMgGtT]?)[bB]?");

    private final List<String> args;

    public QemuCommandLine(List<String> args) {
        this.args = List.copyOf(args);
    }

    /** From the raw bytes of /proc/PID/cmdline: arguments separated (and ended) by NUL. */
    public static QemuCommandLine fromProcCmdline(byte[] raw) {
        String s = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        List<String> parts = new ArrayList<>(Arrays.asList(s.split("\0", -1)));
        while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1);
        }
        return new QemuCommandLine(parts);
    }

    /** True when argv[0] is a QEMU system emulator (qemu-system-*, qemu-kvm, kvm). */
    public boolean isQemu() {
        if (args.isEmpty()) {
            return false;
        }
        String exe = args.get(0);
        String base = exe.substring(exe.lastIndexOf('/') + 1);
        return base.startsWith("qemu-system-") || base.equals("qemu-kvm") || base.equals("kvm");
    }

    /** VM id: {@code -name guest=NAME,...} or {@code -name NAME}, else {@code -uuid U}. */
    public Optional<String> vmId() {
        Optional<String> name = option("name").flatMap(v -> {
            List<String> parts = splitOptions(v);
            for (String p : parts) {
                if (p.startsWith("guest=")) {
                    return nonEmpty(p.substring("guest=".length()));
                }
            }
            // Legacy "-name NAME[,process=...]": the first part without a key is the name.
            return parts.isEmpty() || parts.get(0).contains("=") ? Optional.empty() : nonEmpty(parts.get(0));
        });
        return name.isPresent() ? name : option("uuid").flatMap(QemuCommandLine::nonEmpty);
    }

    /** Configured guest RAM from {@code -m} (plain numbers are MiB; suffixes K/M/G/T), in MiB. */
    public OptionalLong memoryMb() {
        Optional<String> m = option("m");
        if (m.isEmpty()) {
            return OptionalLong.empty();
        }
        for (String p : splitOptions(m.get())) {
            String size = p.startsWith("size=") ? p.substring(5) : p;
            if (!size.contains("=")) {
                Matcher x = SIZE.matcher(size.trim());
                if (x.matches()) {
                    double v = Double.parseDouble(x.group(1));
                    double mb = switch (x.group(2).toUpperCase()) {
                        case "K" -> v / 1024;
                        case "G" -> v * 1024;
                        case "T" -> v * 1024 * 1024;
                        default -> v;
                    };
                    return OptionalLong.of(Math.round(mb));
                }
            }
        }
        return OptionalLong.empty();
    }

    /**
     * vCPUs at start from {@code -smp}: {@code N}, {@code cpus=N}, else the product of the topology
     * (sockets, dies, clusters, modules, cores, threads, books, drawers), as QEMU computes it; 1 without
     * {@code -smp}, QEMU's default. Empty when the value does not parse. vCPUs hot-plugged later are not here.
     */
    public OptionalInt vcpus() {
        Optional<String> smp = option("smp");
        if (smp.isEmpty()) {
            return OptionalInt.of(1);
        }
        long product = 1;
        try {
            for (String p : splitOptions(smp.get())) {
                int eq = p.indexOf('=');
                String key = eq < 0 ? "cpus" : p.substring(0, eq);
                String value = eq < 0 ? p : p.substring(eq + 1);
                switch (key) {
                    case "cpus" -> {
                        int n = Integer.parseInt(value.trim());
                        return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
                    }
                    case "sockets", "dies", "clusters", "modules", "cores", "threads", "books", "drawers" ->
                        product *= Long.parseLong(value.trim());
                    default -> {
                        // maxcpus and unknown keys do not change the count at start.
                    }
                }
            }
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
        return product > 0 && product <= Integer.MAX_VALUE ? OptionalInt.of((int) product) : OptionalInt.empty();
    }

    /** Host tap interface names from {@code -netdev tap,ifname=X}, its JSON form, or {@code -net tap,ifname=X}. */
    public List<String> tapInterfaces() {
        List<String> taps = new ArrayList<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            String opt = normalise(args.get(i));
            if (!opt.equals("-netdev") && !opt.equals("-net") && !opt.equals("-nic")) {
                continue;
            }
            String v = args.get(i + 1);
            if (v.startsWith("{")) {
                Matcher ifname = JSON_IFNAME.matcher(v);
                if (JSON_TAP.matcher(v).find() && ifname.find()) {
                    taps.add(ifname.group(1));
                }
                continue;
            }
            List<String> parts = splitOptions(v);
            if (parts.isEmpty() || !(parts.get(0).equals("tap") || parts.get(0).equals("type=tap"))) {
                continue;
            }
            for (String p : parts) {
                if (p.startsWith("ifname=") && p.length() > "ifname=".length()) {
                    taps.add(p.substring("ifname=".length()));
                }
            }
        }
        return taps;
    }

    /** Value following {@code -key} or {@code --key}; the last occurrence wins, as in QEMU. */
    private Optional<String> option(String key) {
        String found = null;
        for (int i = 0; i + 1 < args.size(); i++) {
            if (normalise(args.get(i)).equals("-" + key)) {
                found = args.get(i + 1);
            }
        }
        return Optional.ofNullable(found);
    }

    private static String normalise(String arg) {
        return arg.startsWith("--") ? arg.substring(1) : arg;
    }

    /** Splits a QEMU option string on commas; ",," is an escaped comma inside a value. */
    static List<String> splitOptions(String value) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',') {
                if (i + 1 < value.length() && value.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                } else {
                    parts.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
    }
}
