package io.lmadvisor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.PostcopyDowntime;
import io.lmadvisor.model.eval.LabEvaluation;
import io.lmadvisor.model.learn.Calibration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lm-advisor model lab-eval}: the prior and its calibration on lab workloads they never saw
 * ({@link LabEvaluation}), against the issue-14 targets.
 */
@Command(
        name = "lab-eval",
        mixinStandardHelpOptions = true,
        description =
                "Hold out whole lab workloads: gMRE of the prior and of the prior calibrated on the other workloads, "
                        + "the learning curve, the constant baseline for PERF/CPU/MEM and choice quality, against the lab targets.")
final class LabEvalCommand implements Callable<Integer> {
    @Mixin
    ModelCommand.DataOptions data;

    @Option(
            names = "--meta",
            description =
                    "The lab's NAME.meta.jsonl: each run's workload (default: the one beside --data NAME.csv if there"
                            + " is one, else a run's workload is its csap512 seed).")
    Path meta;

    @Option(
            names = "--prior",
            defaultValue = "bundled",
            description =
                    "The prior model file, or `bundled` for the model inside the jar (default: ${DEFAULT-VALUE}).")
    String prior;

    @Option(
            names = "--folds",
            defaultValue = "0",
            description = "Folds of workloads; 0 = leave one workload out (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(
            names = "--curve",
            split = ",",
            defaultValue = "10,20,50",
            description =
                    "Training migrations of the learning curve's points (default: ${DEFAULT-VALUE}; all rows are always a point).")
    int[] curve;

    @Option(
            names = "--curve-seeds",
            defaultValue = "3",
            description = "Samples per learning-curve point (default: ${DEFAULT-VALUE}).")
    int curveSeeds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--param",
            description = "A calibration parameter, as the calibrated model's manifest names it without "
                    + "`calibration.`, e.g. --param rounds=30 --param max_depth=2 --param min_rows=5.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(
            names = "--raw-postcopy-downtime",
            description = "Judge post-copy downtime against QEMU's figure as recorded, sentinel included (by default a"
                    + " post-copy downtime above half the total time, QEMU's overwritten 0 ms, is read as 0).")
    boolean rawPostcopyDowntime;

    @Option(names = "--json", description = "Print the result as JSON instead of tables.")
    boolean json;

    @Option(
            names = "--rows",
            description = "Also write every held-out figure (workload, run, algorithm, metric, real, prior, calibrated)"
                    + " to this CSV file, for residual analysis.")
    Path rows;

    @Override
    public Integer call() throws Exception {
        Calibration.Params cp = calibrationParams(params);
        ModelArtifact p = ModelCommand.loadPrior(prior);
        ModelCommand.progress("prior " + p.versionId() + " (" + p.learnerName() + ")");
        Dataset d = data.read();
        Path metaFile = meta != null ? meta : besideData();
        Map<String, String> workloads = metaFile == null ? Map.of() : LabEvaluation.readWorkloads(metaFile);
        List<MigrationRecord> records = d.records();
        long sentinels = PostcopyDowntime.count(records);
        if (sentinels > 0 && !rawPostcopyDowntime) {
            records = PostcopyDowntime.corrected(records);
            ModelCommand.progress(sentinels + " post-copy downtimes above half their total time are QEMU's overwritten"
                    + " 0 ms sentinel; read as 0 (--raw-postcopy-downtime keeps them)");
        }
        LabEvaluation.Options o = new LabEvaluation.Options(folds, curve, curveSeeds, seed);
        long start = System.nanoTime();
        LabEvaluation.Result r = LabEvaluation.run(
                p.model(),
                (train, s) -> Calibration.calibrate(p, train, cp, s),
                records,
                workloads,
                o,
                ModelCommand::progress);
        ModelCommand.progress(String.format(Locale.ROOT, "done in %.0f s", (System.nanoTime() - start) / 1e9));
        if (rows != null) {
            writeRows(r, rows);
            ModelCommand.progress("wrote " + r.heldOut().size() + " held-out figures to " + rows);
        }
        System.out.print(json ? toJson(r, p, cp) : toText(r));
        return 0;
    }

    static void writeRows(LabEvaluation.Result r, Path file) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        lines.add("workload,run,algorithm,metric,real,prior,calibrated");
        for (LabEvaluation.HeldOut h : r.heldOut()) {
            lines.add(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%s,%s,%s,%s",
                    h.workload(),
                    h.id(),
                    h.algorithm().name(),
                    h.target().name(),
                    h.actual(),
                    h.prior(),
                    h.calibrated()));
        }
        java.nio.file.Files.write(file, lines, java.nio.charset.StandardCharsets.UTF_8);
    }

    static Calibration.Params calibrationParams(Map<String, String> overrides) {
        Map<String, String> m =
                new LinkedHashMap<>(Calibration.Params.defaults().toMap());
        overrides.forEach((k, v) -> {
            String key = k.startsWith("calibration.") ? k : "calibration." + k;
            if (!m.containsKey(key)) {
                throw new IllegalArgumentException("unknown calibration parameter '" + k + "' in --param (known: "
                        + String.join(", ", m.keySet()).replace("calibration.", "") + ")");
            }
            m.put(key, v);
        });
        try {
            return Calibration.Params.fromMap(m);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a --param value is not a number: " + e.getMessage());
        }
    }

    static String toText(LabEvaluation.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "held out: %d workloads (%d rows), %s; gMRE unless said otherwise%n%n",
                r.workloads(),
                r.rows(),
                r.folds() == r.workloads() ? "one at a time" : r.folds() + " folds of workloads"));
        sb.append(
                "| algorithm | metric | n | prior | calibrated | its median RE | baseline (median) | target | met |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        for (LabEvaluation.Cell c : r.cells()) {
            double t = c.targetGmre();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n",
                    c.algorithm().shortName(),
                    c.target(),
                    c.n(),
                    f(c.prior()),
                    f(c.calibrated()),
                    f(c.calibratedMedianRe()),
                    f(c.baseline()),
                    Double.isNaN(t) ? "≤ 0.7 × baseline" : "≤ " + f(t),
                    c.met() ? "met" : "**missed**"));
        }
        sb.append("\nlearning curve (gMRE on held-out workloads by training migrations; mean of samples)\n\n");
        List<Integer> points = r.curvePoints();
        sb.append("| algorithm | metric | 0 (prior)");
        points.forEach(n -> sb.append(" | ").append(n));
        sb.append(" | all |\n|---|---|---:");
        points.forEach(n -> sb.append("|---:"));
        sb.append("|---:|\n");
        for (LabEvaluation.Cell c : r.cells()) {
            if (c.target() != Target.TT && c.target() != Target.DT && c.target() != Target.TD) {
                continue;
            }
            sb.append(
                    String.format(Locale.ROOT, "| %s | %s | %s", c.algorithm().shortName(), c.target(), f(c.prior())));
            points.forEach(n -> sb.append(" | ").append(f(c.curve().getOrDefault(n, Double.NaN))));
            sb.append(" | ").append(f(c.calibrated())).append(" |\n");
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nchoice: least predicted TT is the real best or within 10 %% of it in %d of %d "
                        + "workloads (%.0f %%; target ≥ %.0f %%); the prior alone: %.0f %%%n%n",
                r.choices().stream().filter(LabEvaluation.Choice::ok).count(),
                r.choices().size(),
                100 * r.choiceRate(),
                100 * LabEvaluation.CHOICE_TARGET,
                100 * r.priorChoiceRate()));
        sb.append("| workload | real best | TT ms | calibrated picks | its TT ms | prior picks | its TT ms |\n");
        sb.append("|---|---|---:|---|---:|---|---:|\n");
        for (LabEvaluation.Choice c : r.choices()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.0f | %s%s | %.0f | %s | %.0f |%n",
                    c.workload(),
                    c.best().shortName(),
                    c.bestTtMs(),
                    c.chosen().shortName(),
                    c.ok() ? "" : " ✗",
                    c.chosenTtMs(),
                    c.priorChosen().shortName(),
                    c.priorChosenTtMs()));
        }
        return sb.toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String toJson(LabEvaluation.Result r, ModelArtifact prior, Calibration.Params params) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prior", prior.versionId());
        m.put("calibration", params.toMap());
        m.put("rows", r.rows());
        m.put("workloads", r.workloads());
        m.put("folds", r.folds());
        List<Map<String, Object>> cells = new ArrayList<>();
        for (LabEvaluation.Cell c : r.cells()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("algorithm", c.algorithm().name());
            x.put("metric", c.target().name());
            x.put("n", c.n());
            x.put("prior", num(c.prior()));
            x.put("calibrated", num(c.calibrated()));
            x.put("calibratedMedianRe", num(c.calibratedMedianRe()));
            x.put("baseline", num(c.baseline()));
            x.put("target", num(c.targetGmre()));
            x.put("met", c.met());
            Map<String, Object> curve = new LinkedHashMap<>();
            c.curve().forEach((n, g) -> curve.put(n == Integer.MAX_VALUE ? "all" : n.toString(), num(g)));
            x.put("curve", curve);
            cells.add(x);
        }
        m.put("cells", cells);
        m.put("choiceRate", num(r.choiceRate()));
        m.put("priorChoiceRate", num(r.priorChoiceRate()));
        m.put(
                "choices",
                r.choices().stream()
                        .map(c -> {
                            Map<String, Object> x = new LinkedHashMap<>();
                            x.put("workload", c.workload());
                            x.put("best", c.best().name());
                            x.put("bestTtMs", c.bestTtMs());
                            x.put("chosen", c.chosen().name());
                            x.put("chosenTtMs", c.chosenTtMs());
                            x.put("ok", c.ok());
                            x.put("priorChosen", c.priorChosen().name());
                            x.put("priorOk", c.priorOk());
                            return x;
                        })
                        .toList());
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m)
                + System.lineSeparator();
    }

    private static Object num(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** {@code NAME.meta.jsonl} beside {@code --data NAME.csv}, as {@code lab run} writes them; null if absent. */
    private Path besideData() {
        String n =
                data.data.getFileName() == null ? "" : data.data.getFileName().toString();
        if (!n.endsWith(".csv")) {
            return null;
        }
        Path m = data.data.resolveSibling(n.substring(0, n.length() - ".csv".length()) + ".meta.jsonl");
        return java.nio.file.Files.isRegularFile(m) ? m : null;
    }
}
