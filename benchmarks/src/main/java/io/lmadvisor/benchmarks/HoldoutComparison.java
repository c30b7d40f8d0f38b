package io.lmadvisor.benchmarks;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.HoldoutSplit;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.model.eval.EvaluationReport;
import io.lmadvisor.model.eval.Evaluator;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBaggingLearner;
import io.lmadvisor.model.learn.SvrParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains gbt, svr-bagging and analytic on the 70 % id-hash split of a csap-subset file and prints the
 * hold-out gMRE table of docs/MODEL.md. Long-running (svr-bagging with 64 estimators takes minutes).
 * With an output directory it also writes each learner's hold-out CSV and model artifact there
 * ({@code gbt.lmmodel} etc., usable by the JMH benchmarks through {@code -Dlmadvisor.model.<learner>=FILE}).
 * <pre>java -cp benchmarks/target/benchmarks.jar io.lmadvisor.benchmarks.HoldoutComparison DATA.csv [estimators] [out-dir]</pre>
 */
public final class HoldoutComparison {
    private HoldoutComparison() {}

    public static void main(String[] args) throws Exception {
        java.util.logging.LogManager.getLogManager().reset();
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets/csap-subset-public.csv");
        int estimators = args.length > 1
                ? Integer.parseInt(args[1])
                : SvrParams.defaults().estimators();
        Path outDir = args.length > 2 ? Path.of(args[2]) : null;
        long seed = 42;
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(data, ReadOptions.defaults());
        HoldoutSplit split = HoldoutSplit.byIdHash(ds.records(), 0.30);
        System.out.printf(
                Locale.ROOT,
                "train %d rows, hold-out %d rows%n",
                split.train().size(),
                split.test().size());
        FeatureSchema schema = FeatureSchema.subset();
        Learner.Progress progress = m -> System.out.println("  " + m);

        List<EvaluationReport> reports = new ArrayList<>();
        for (Learner learner : List.of(
                new GradientBoostedLearner(),
                new AnalyticLearner(),
                new SvrBaggingLearner(SvrParams.defaults().withEstimators(estimators)))) {
            long t0 = System.nanoTime();
            MigrationModel model = learner.train(split.train(), schema, seed, progress);
            double trainS = (System.nanoTime() - t0) / 1e9;
            EvaluationReport r = Evaluator.evaluate(learner.name(), model, split.test());
            System.out.printf(Locale.ROOT, "%s trained in %.1f s%n%s%n", learner.name(), trainS, r.toCsv());
            reports.add(r);
            if (outDir != null) {
                Files.createDirectories(outDir);
                Files.writeString(outDir.resolve(learner.name() + ".csv"), r.toCsv());
                Map<String, Double> validation = new LinkedHashMap<>();
                for (CellEvaluation c : r.cells()) {
                    validation.put("holdout30.gMRE." + c.algorithm().shortName() + "." + c.target(), c.gMRE());
                }
                ModelArtifact artifact =
                        ModelArtifact.of(model, DatasetFingerprint.of(split.train()), validation, Instant.now());
                Path file = outDir.resolve(learner.name() + ".lmmodel");
                artifact.save(file);
                System.out.printf(
                        Locale.ROOT, "saved %s (%s, %d bytes)%n", file, artifact.versionId(), Files.size(file));
            }
        }
        System.out.println(table(reports.get(0), reports.get(1), reports.get(2)));
    }

    /** Markdown table: gMRE of gbt, svr-bagging, analytic per cell, with gbt's ratios. */
    static String table(EvaluationReport gbt, EvaluationReport analytic, EvaluationReport svr) {
        StringBuilder sb = new StringBuilder();
        sb.append("| algorithm | metric | gbt | svr-bagging | analytic | gbt/svr | gbt/analytic |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Algorithm a : Algorithm.values()) {
            for (Target t : Target.values()) {
                double g = gmre(gbt, a, t);
                double s = gmre(svr, a, t);
                double an = gmre(analytic, a, t);
                if (Double.isNaN(g) && Double.isNaN(s)) {
                    continue;
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %.4f | %.4f | %.4f | %.2f | %.2f |%n",
                        a.shortName(),
                        t,
                        g,
                        s,
                        an,
                        g / s,
                        g / an));
            }
        }
        return sb.toString();
    }

    private static double gmre(EvaluationReport r, Algorithm a, Target t) {
        return r.cell(a, t).map(CellEvaluation::gMRE).orElse(Double.NaN);
    }
}
