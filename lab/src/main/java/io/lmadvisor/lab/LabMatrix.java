package io.lmadvisor.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The lab's matrix file (YAML): a {@code workloads} list, each with the workload program's
 * parameters, the guest's RAM and the migration link; an optional {@code defaults} mapping fills
 * what a workload leaves out. Errors name the file and line. See docs/LAB.md.
 */
public record LabMatrix(String source, List<Workload> workloads) {
    /** The matrix shipped with the lab (classpath resource). */
    public static final String DEFAULT_RESOURCE = "/lab/default-matrix.yaml";

    static final Set<String> KEYS = Set.of(
            "name",
            "ramMiB",
            "bufMiB",
            "wssMiB",
            "dirtyPagesPerSec",
            "bytesPerPage",
            "entropy",
            "cpuUnitsPerPage",
            "bandwidthMiBps",
            "downtimeLimitMs",
            "seed");
    private static final Map<String, String> BUILT_IN = Map.of(
            "bytesPerPage", "4096", "entropy", "random", "cpuUnitsPerPage", "0", "downtimeLimitMs", "300", "seed", "1");

    public static LabMatrix read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot read matrix file " + file + " (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), text);
    }

    public static LabMatrix defaultMatrix() {
        try (InputStream in = LabMatrix.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new LabException("the default matrix " + DEFAULT_RESOURCE + " is missing from the lab jar");
            }
            return parse("default-matrix.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LabException("cannot read the default matrix (" + e.getMessage() + ")", e);
        }
    }

    public Workload workload(String name) {
        return workloads.stream()
                .filter(w -> w.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new LabException("matrix " + source + " has no workload '" + name + "'"));
    }

    /** Parses {@code text}; {@code source} names the file in error messages. */
    public static LabMatrix parse(String source, String text) {
        Node root;
        try (Reader r = new StringReader(text)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(r);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new LabException(source + " line " + line + ": not valid YAML: " + e.getProblem());
        } catch (IOException e) {
            throw new LabException("cannot read matrix " + source + " (" + e.getMessage() + ")", e);
        }
        if (!(root instanceof MappingNode top)) {
            throw new LabException(source + " line 1: a matrix is a mapping with a 'workloads' list");
        }
        Map<String, Scalar> defaults = Map.of();
        SequenceNode list = null;
        for (NodeTuple t : top.getValue()) {
            String key = scalar(source, t.getKeyNode()).value();
            switch (key) {
                case "defaults" -> defaults = fields(source, t.getValueNode(), "defaults");
                case "workloads" -> {
                    if (!(t.getValueNode() instanceof SequenceNode s)) {
                        throw error(source, t.getValueNode(), "'workloads' must be a list");
                    }
                    list = s;
                }
                default ->
                    throw error(source, t.getKeyNode(), "unknown key '" + key + "' (expected defaults, workloads)");
            }
        }
        if (list == null || list.getValue().isEmpty()) {
            throw new LabException(source + " line " + line(top) + ": the matrix has no workloads");
        }
        if (defaults.containsKey("name")) {
            throw error(source, defaults.get("name").node(), "'name' cannot have a default");
        }
        List<Workload> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node n : list.getValue()) {
            Map<String, Scalar> f = new LinkedHashMap<>(defaults);
            f.putAll(fields(source, n, "workload"));
            Workload w = workload(source, n, f);
            if (!names.add(w.name())) {
                throw error(source, f.get("name").node(), "workload name '" + w.name() + "' is used twice");
            }
            out.add(w);
        }
        return new LabMatrix(source, List.copyOf(out));
    }

    private record Scalar(String value, Node node) {}

    private static Map<String, Scalar> fields(String source, Node n, String what) {
        if (!(n instanceof MappingNode m)) {
            throw error(source, n, "a " + what + " must be a mapping of key: value");
        }
        Map<String, Scalar> f = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(source, t.getKeyNode()).value();
            if (!KEYS.contains(key)) {
                throw error(
                        source,
                        t.getKeyNode(),
                        "unknown key '" + key + "' (expected one of " + new java.util.TreeSet<>(KEYS) + ")");
            }
            if (f.containsKey(key)) {
                throw error(source, t.getKeyNode(), "key '" + key + "' appears twice");
            }
            f.put(key, scalar(source, t.getValueNode()));
        }
        return f;
    }

    private static Scalar scalar(String source, Node n) {
        if (!(n instanceof ScalarNode s)) {
            throw error(source, n, "expected a single value here");
        }
        return new Scalar(s.getValue(), n);
    }

    private static Workload workload(String source, Node n, Map<String, Scalar> f) {
        for (String required : List.of("name", "ramMiB", "bufMiB", "dirtyPagesPerSec", "bandwidthMiBps")) {
            if (!f.containsKey(required)) {
                throw error(source, n, "workload lacks '" + required + "'");
            }
        }
        String name = f.get("name").value();
        int buf = integer(source, f, "bufMiB");
        String rate = f.get("dirtyPagesPerSec").value();
        long dirty = "max".equals(rate) ? Workload.MAX_RATE : number(source, f, "dirtyPagesPerSec");
        try {
            return new Workload(
                    name,
                    integer(source, f, "ramMiB"),
                    buf,
                    f.containsKey("wssMiB") ? integer(source, f, "wssMiB") : buf,
                    dirty,
                    integerOr(source, f, "bytesPerPage"),
                    f.containsKey("entropy") ? f.get("entropy").value() : BUILT_IN.get("entropy"),
                    integerOr(source, f, "cpuUnitsPerPage"),
                    integer(source, f, "bandwidthMiBps"),
                    integerOr(source, f, "downtimeLimitMs"),
                    integerOr(source, f, "seed"));
        } catch (IllegalArgumentException e) {
            // Workload's messages start with the key at fault: point at its line.
            Scalar at = f.get(e.getMessage().split(" ", 2)[0]);
            throw error(source, at != null ? at.node() : n, "workload '" + name + "': " + e.getMessage());
        }
    }

    private static int integerOr(String source, Map<String, Scalar> f, String key) {
        return f.containsKey(key) ? integer(source, f, key) : Integer.parseInt(BUILT_IN.get(key));
    }

    private static int integer(String source, Map<String, Scalar> f, String key) {
        long v = number(source, f, key);
        if (v > Integer.MAX_VALUE) {
            throw error(source, f.get(key).node(), key + " " + v + " is too large");
        }
        return (int) v;
    }

    private static long number(String source, Map<String, Scalar> f, String key) {
        Scalar s = f.get(key);
        try {
            return Long.parseLong(s.value().strip());
        } catch (NumberFormatException e) {
            throw error(source, s.node(), key + " '" + s.value() + "' is not a whole number");
        }
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    private static LabException error(String source, Node n, String problem) {
        return new LabException(source + " line " + line(n) + ": " + problem);
    }
}
