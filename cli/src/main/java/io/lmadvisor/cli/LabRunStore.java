package io.lmadvisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.CsapReader;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.eval.ErrorMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The dataset {@code lab run} writes, named by its csv: {@code NAME.csv} (one csap512 row per
 * migration) and beside it {@code NAME.meta.jsonl} (what a csap row cannot hold: QEMU version, accel,
 * host load, integrity, status, the advisor's choice and its predictions), {@code NAME.manifest.json}
 * (one entry per batch), {@code NAME.summary.md}/{@code .json} and the guests' scratch folder
 * {@code NAME.work/}. Appends, so a dataset grows over several sessions; a run already in the meta
 * file is skipped.
 */
final class LabRunStore {
    /** The dataset's layout, all named after its csv. */
    record Layout(Path rows) {
        Layout {
            String n = rows.getFileName() == null ? "" : rows.getFileName().toString();
            if (!n.endsWith(".csv") || n.length() == 4) {
                throw new IllegalArgumentException("--out " + rows + " must name the dataset's .csv file (e.g."
                        + " datasets/lab/qemu10-tcg.csv); its side layout go beside it.");
            }
        }

        private Path sibling(String suffix) {
            String n = rows.getFileName().toString();
            return rows.resolveSibling(n.substring(0, n.length() - ".csv".length()) + suffix);
        }

        Path meta() {
            return sibling(".meta.jsonl");
        }

        Path manifest() {
            return sibling(".manifest.json");
        }

        Path summaryMd() {
            return sibling(".summary.md");
        }

        Path summaryJson() {
            return sibling(".summary.json");
        }

        /** Guests' sockets, serial logs and pid layout; not part of the dataset. */
        Path work() {
            return sibling(".work");
        }
    }

    static final DatasetFormat FORMAT = DatasetFormat.CSAP512;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One migration's side facts; {@code predicted} is the served model's figures by {@link Target} (NaN = none). */
    record Meta(
            long seed,
            long sequence,
            String workload,
            Algorithm algorithm,
            String status,
            Boolean integrityOk,
            String advisorChoice,
            String vmId,
            String startTime,
            String qemuVersion,
            String accel,
            int hostCores,
            double hostLoad1,
            double pagesPerSecBefore,
            double pagesPerSecDuring,
            double[] predicted,
            String modelVersion,
            String failureReason) {
        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("seed", seed)
                    .put("sequence", sequence)
                    .put("workload", workload)
                    .put("algorithm", algorithm.name())
                    .put("status", status);
            if (integrityOk == null) {
                o.putNull("integrityOk");
            } else {
                o.put("integrityOk", integrityOk);
            }
            o.put("advisorChoice", advisorChoice)
                    .put("vmId", vmId)
                    .put("startTime", startTime)
                    .put("qemuVersion", qemuVersion)
                    .put("accel", accel)
                    .put("hostCores", hostCores);
            number(o, "hostLoad1", hostLoad1);
            number(o, "pagesPerSecBefore", pagesPerSecBefore);
            number(o, "pagesPerSecDuring", pagesPerSecDuring);
            ObjectNode p = o.putObject("predicted");
            for (Target t : Target.values()) {
                number(p, t.name(), predicted[t.ordinal()]);
            }
            o.put("modelVersion", modelVersion);
            o.put("failureReason", failureReason);
            return o;
        }

        static Meta of(JsonNode o) {
            double[] pred = new double[Target.values().length];
            for (Target t : Target.values()) {
                pred[t.ordinal()] = o.path("predicted").path(t.name()).asDouble(Double.NaN);
            }
            JsonNode integrity = o.path("integrityOk");
            return new Meta(
                    o.path("seed").asLong(),
                    o.path("sequence").asLong(),
                    o.path("workload").asText(),
                    Algorithm.valueOf(o.path("algorithm").asText()),
                    o.path("status").asText(),
                    integrity.isBoolean() ? integrity.asBoolean() : null,
                    o.path("advisorChoice").asText(null),
                    o.path("vmId").asText(null),
                    o.path("startTime").asText(null),
                    o.path("qemuVersion").asText(null),
                    o.path("accel").asText(null),
                    o.path("hostCores").asInt(),
                    o.path("hostLoad1").asDouble(Double.NaN),
                    o.path("pagesPerSecBefore").asDouble(Double.NaN),
                    o.path("pagesPerSecDuring").asDouble(Double.NaN),
                    pred,
                    o.path("modelVersion").asText(null),
                    o.path("failureReason").asText(null));
        }

        boolean usable() {
            return "completed".equals(status) && Boolean.TRUE.equals(integrityOk);
        }
    }

    private final Layout layout;
    private final List<Meta> metas = new ArrayList<>();
    /** Measured targets by csap512 id (seed:sequence), from runs.csv. */
    private final Map<String, double[]> measured = new HashMap<>();

    private LabRunStore(Layout layout) {
        this.layout = layout;
    }

    /** Opens (creating its folder) the dataset named by its csv and reads what earlier sessions wrote. */
    static LabRunStore open(Path csv) throws IOException {
        Layout f = new Layout(csv);
        if (Files.isDirectory(csv)) {
            throw new IllegalArgumentException("--out " + csv + " is a folder; it must name the dataset's .csv file.");
        }
        Path parent = csv.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        LabRunStore s = new LabRunStore(f);
        Path meta = f.meta();
        if (Files.exists(meta)) {
            int n = 0;
            for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    s.metas.add(Meta.of(JSON.readTree(line)));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(
                            meta + " line " + n + " is not a run record (" + e.getMessage() + "); fix or remove it.");
                }
            }
        }
        if (Files.exists(csv)) {
            s.readRows(csv);
        }
        return s;
    }

    private void readRows(Path rows) throws IOException {
        List<String> lines = Files.readAllLines(rows, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return;
        }
        List<String> cols = CsapReader.columns(FORMAT);
        String legacy = String.join(",", CsapReader.csapOnlyColumns(FORMAT));
        if (lines.get(0).equals(legacy)) {
            lines = upgrade(
                    rows,
                    lines,
                    cols.size() - CsapReader.csapOnlyColumns(FORMAT).size());
        }
        if (!lines.get(0).equals(CsapWriter.header(FORMAT))) {
            throw new IllegalArgumentException(
                    rows + " does not start with the csap512 header; is --out another" + " command's folder?");
        }
        for (String line : lines.subList(1, lines.size())) {
            // Every cell is a number or empty (CsapWriter): a plain split is exact.
            String[] f = line.split(",", -1);
            if (f.length != cols.size()) {
                continue;
            }
            double[] y = new double[Target.values().length];
            for (Target t : Target.values()) {
                String v = f[cols.indexOf(t.csapColumn())];
                y[t.ordinal()] = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
            }
            measured.put(f[0] + ":" + f[1], y);
        }
    }

    /**
     * A dataset written before our optional columns (VM_vcpus) existed gets them, empty, so new rows can be
     * appended under one header. Empty reads as unknown, which is what the old rows are.
     */
    private static List<String> upgrade(Path rows, List<String> lines, int missing) throws IOException {
        List<String> out = new ArrayList<>(lines.size());
        out.add(CsapWriter.header(FORMAT));
        String pad = ",".repeat(missing);
        for (String line : lines.subList(1, lines.size())) {
            out.add(line.isBlank() ? line : line + pad);
        }
        Path tmp = rows.resolveSibling(rows.getFileName() + ".upgrade");
        Files.write(tmp, out, StandardCharsets.UTF_8);
        Files.move(tmp, rows, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }

    Layout layout() {
        return layout;
    }

    List<Meta> metas() {
        return List.copyOf(metas);
    }

    boolean done(String workload, Algorithm algorithm) {
        return metas.stream().anyMatch(m -> m.workload().equals(workload) && m.algorithm() == algorithm);
    }

    /** The workload's seed: the one it had in an earlier session, else the next free one. */
    long seedOf(String workload) {
        return metas.stream()
                .filter(m -> m.workload().equals(workload))
                .mapToLong(Meta::seed)
                .findFirst()
                .orElseGet(() -> metas.stream().mapToLong(Meta::seed).max().orElse(0) + 1);
    }

    long nextSequence(long seed) {
        return metas.stream()
                        .filter(m -> m.seed() == seed)
                        .mapToLong(Meta::sequence)
                        .max()
                        .orElse(0)
                + 1;
    }

    /** Appends one run: its csap512 row (id seed:sequence), then its side record. */
    synchronized void append(MigrationRecord row, Meta meta) throws IOException {
        Path rows = layout.rows();
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(rows) || Files.size(rows) == 0) {
            sb.append(CsapWriter.header(FORMAT)).append('\n');
        }
        sb.append(CsapWriter.row(row, FORMAT)).append('\n');
        Files.writeString(rows, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.writeString(
                layout.meta(),
                meta.json().toString() + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        metas.add(meta);
        measured.put(meta.seed() + ":" + meta.sequence(), row.targets().clone());
    }

    /** Adds one batch to the manifest (kept as {"batches": [...]}). */
    void recordBatch(ObjectNode batch) throws IOException {
        Path f = layout.manifest();
        ObjectNode root = Files.exists(f) ? (ObjectNode) JSON.readTree(f.toFile()) : JSON.createObjectNode();
        ArrayNode batches = root.has("batches") ? (ArrayNode) root.get("batches") : root.putArray("batches");
        batches.add(batch);
        JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), root);
    }

    /** Measured figures of a run, by {@link Target} (NaN = not measured). */
    Optional<double[]> measured(Meta m) {
        return Optional.ofNullable(measured.get(m.seed() + ":" + m.sequence()));
    }

    /** Per workload: the real best algorithm (least TT among completed runs with integrity OK) and the advisor's choice. */
    record WorkloadSummary(
            String workload,
            int runs,
            String realBest,
            double bestTotalTimeMs,
            String advisorChoice,
            Double advisorTotalTimeMs) {
        boolean agrees() {
            return realBest != null && realBest.equals(advisorChoice);
        }
    }

    List<WorkloadSummary> workloadSummaries() {
        Map<String, List<Meta>> by = new LinkedHashMap<>();
        metas.forEach(
                m -> by.computeIfAbsent(m.workload(), k -> new ArrayList<>()).add(m));
        List<WorkloadSummary> out = new ArrayList<>();
        by.forEach((w, ms) -> {
            String best = null;
            double bestTt = Double.NaN;
            String choice = ms.get(ms.size() - 1).advisorChoice();
            Double choiceTt = null;
            for (Meta m : ms) {
                double tt = measured(m).map(y -> y[Target.TT.ordinal()]).orElse(Double.NaN);
                if (!m.usable() || Double.isNaN(tt)) {
                    continue;
                }
                if (best == null || tt < bestTt) {
                    best = m.algorithm().name();
                    bestTt = tt;
                }
                if (m.algorithm().name().equals(choice)) {
                    choiceTt = tt;
                }
            }
            out.add(new WorkloadSummary(w, ms.size(), best, bestTt, choice, choiceTt));
        });
        return out;
    }

    /** gMRE of the served model's predictions against the real figures, per (algorithm, target), over usable runs. */
    Map<Algorithm, Map<Target, double[]>> gmre() {
        Map<Algorithm, Map<Target, double[]>> out = new LinkedHashMap<>();
        for (Algorithm a : Algorithm.values()) {
            Map<Target, double[]> row = new LinkedHashMap<>();
            for (Target t : Target.values()) {
                List<double[]> pairs = new ArrayList<>();
                for (Meta m : metas) {
                    if (m.algorithm() != a || !m.usable()) {
                        continue;
                    }
                    double p = m.predicted()[t.ordinal()];
                    double y = measured(m).map(v -> v[t.ordinal()]).orElse(Double.NaN);
                    if (!Double.isNaN(p) && !Double.isNaN(y)) {
                        pairs.add(new double[] {p, y});
                    }
                }
                double[] pred = pairs.stream().mapToDouble(x -> x[0]).toArray();
                double[] act = pairs.stream().mapToDouble(x -> x[1]).toArray();
                row.put(t, new double[] {pairs.isEmpty() ? Double.NaN : ErrorMetrics.gMRE(pred, act), pairs.size()});
            }
            out.put(a, row);
        }
        return out;
    }

    /** Writes summary.md and summary.json from everything in the folder (all sessions); returns the markdown. */
    String writeSummary() throws IOException {
        List<WorkloadSummary> ws = workloadSummaries();
        Map<Algorithm, Map<Target, double[]>> g = gmre();
        StringBuilder md = new StringBuilder("# lab run summary\n\n");
        long agree = ws.stream().filter(WorkloadSummary::agrees).count();
        long judged = ws.stream().filter(w -> w.realBest() != null).count();
        md.append(String.format(
                Locale.ROOT,
                "%d runs of %d workloads; the advisor picked the real best (least total"
                        + " time, completed, integrity OK) in %d of %d.%n%n",
                metas.size(),
                ws.size(),
                agree,
                judged));
        md.append(
                "| workload | runs | real best | TT ms | advisor's choice | its TT ms |\n|---|---|---|---|---|---|\n");
        ObjectNode json = JSON.createObjectNode();
        json.put("runs", metas.size());
        json.put("advisorPickedBest", agree);
        json.put("workloadsJudged", judged);
        ArrayNode wj = json.putArray("workloads");
        for (WorkloadSummary w : ws) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %s |%n",
                    w.workload(),
                    w.runs(),
                    w.realBest() == null ? "none" : w.realBest(),
                    w.realBest() == null ? "" : String.format(Locale.ROOT, "%.0f", w.bestTotalTimeMs()),
                    w.advisorChoice() == null ? "none" : w.advisorChoice(),
                    w.advisorTotalTimeMs() == null ? "" : String.format(Locale.ROOT, "%.0f", w.advisorTotalTimeMs())));
            ObjectNode o = wj.addObject()
                    .put("workload", w.workload())
                    .put("runs", w.runs())
                    .put("realBest", w.realBest())
                    .put("advisorChoice", w.advisorChoice());
            number(o, "bestTotalTimeMs", w.bestTotalTimeMs());
            number(o, "advisorTotalTimeMs", w.advisorTotalTimeMs() == null ? Double.NaN : w.advisorTotalTimeMs());
        }
        md.append(
                "\ngMRE of the served model's predictions against the real figures (n in brackets):\n\n| algorithm |");
        for (Target t : Target.values()) {
            md.append(' ').append(t.name()).append(" |");
        }
        md.append("\n|---|").append("---|".repeat(Target.values().length)).append('\n');
        ObjectNode gj = json.putObject("gmre");
        g.forEach((a, row) -> {
            md.append("| ").append(a.name()).append(" |");
            ObjectNode aj = gj.putObject(a.name());
            row.forEach((t, v) -> {
                md.append(Double.isNaN(v[0]) ? " – " : String.format(Locale.ROOT, " %.3f (%d) ", v[0], (long) v[1]))
                        .append('|');
                number(aj.putObject(t.name()).put("n", (long) v[1]), "gmre", v[0]);
            });
            md.append('\n');
        });
        Files.writeString(layout.summaryMd(), md, StandardCharsets.UTF_8);
        JSON.writerWithDefaultPrettyPrinter().writeValue(layout.summaryJson().toFile(), json);
        return md.toString();
    }

    static void number(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    static double[] nanTargets() {
        double[] t = new double[Target.values().length];
        Arrays.fill(t, Double.NaN);
        return t;
    }
}
