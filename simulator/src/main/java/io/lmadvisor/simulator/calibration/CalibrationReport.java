package io.lmadvisor.simulator.calibration;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.HoldoutSplit;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.model.eval.ErrorMetrics;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.simulator.whatif.WhatIf;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints how the simulator compares with real migrations: per technique, median and p90 of TT, DT
 * and TD/VM-size, real next to simulated on the same inputs, and the what-if gMRE next to the plain
 * geometric-series floor, on the 30% id-hash hold-out. With {@code --fit} it first re-fits the
 * defaults on the 70% train side and prints them.
 *
 * <p>Usage: {@code CalibrationReport [csap-subset.csv] [--fit]}
 */
public final class CalibrationReport {
    static final String DEFAULT_DATA = "/work/shared/datasets/csap-subset-public.csv";

    private CalibrationReport() {}

    public static void main(String[] args) throws IOException {
        Path data = Path.of(DEFAULT_DATA);
        boolean fit = false;
        for (String a : args) {
            if (a.equals("--fit")) {
                fit = true;
            } else {
                data = Path.of(a);
            }
        }
        report(data, fit, System.out);
    }

    public static void report(Path data, boolean fit, PrintStream out) throws IOException {
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(data, ReadOptions.defaults());
        HoldoutSplit split = HoldoutSplit.byIdHash(ds.records(), HoldoutSplit.DEFAULT_TEST_FRACTION);
        out.println(ds.summary() + "; train " + split.train().size() + ", hold-out "
                + split.test().size());
        Calibrator.Calibration cal = Calibrator.shipped();
        if (fit) {
            out.println("fitting on the train side ...");
            cal = Calibrator.fit(split.train(), cal, out);
            out.println(cal.mechanics());
            cal.traits()
                    .forEach((w, t) -> out.printf(
                            Locale.ROOT,
                            "%-10s wssFraction %.3f wssWindowS %.2f wse %.2f nwse %.2f mwpp %.0f cpu %.0f%n",
                            w,
                            t.wssFraction(),
                            t.wssWindowS(),
                            t.wse(),
                            t.nwse(),
                            t.mwppBytes(),
                            t.cpuUtilPct()));
        }
        List<WhatIf.Prediction> test = WhatIf.predict(split.test(), cal.mechanics(), cal.lookup());
        List<WhatIf.Prediction> train = WhatIf.predict(split.train(), cal.mechanics(), cal.lookup());

        out.println();
        out.println("Hold-out, real vs simulated on the same inputs (median / p90):");
        out.printf(
                Locale.ROOT,
                "%-5s %5s | %-23s | %-21s | %-21s | %s%n",
                "alg",
                "n",
                "TT s real | sim",
                "DT ms real | sim",
                "TD/size real | sim",
                "non-converged");
        for (Algorithm a : Algorithm.values()) {
            List<WhatIf.Prediction> ps =
                    test.stream().filter(p -> p.real().algorithm() == a).toList();
            if (ps.isEmpty()) {
                continue;
            }
            int n = ps.size();
            double[] ttR = new double[n], ttS = new double[n], dtR = new double[n], dtS = new double[n];
            double[] tdR = new double[n], tdS = new double[n];
            int nonConverged = 0;
            for (int i = 0; i < n; i++) {
                WhatIf.Prediction p = ps.get(i);
                double sizeBytes = p.real().raw(RawFeature.VM_SIZE) * 1024 * 1024;
                ttR[i] = p.real().target(Target.TT) / 1000;
                ttS[i] = p.ttMs() / 1000;
                dtR[i] = p.real().target(Target.DT);
                dtS[i] = p.dtMs();
                tdR[i] = p.real().target(Target.TD) / sizeBytes;
                tdS[i] = p.tdBytes() / sizeBytes;
                nonConverged += p.converged() ? 0 : 1;
            }
            out.printf(
                    Locale.ROOT,
                    "%-5s %5d | %s | %s | %s | %d%n",
                    a.shortName(),
                    n,
                    pair(ttR, ttS, "%5.1f"),
                    pair(dtR, dtS, "%4.0f"),
                    pair(tdR, tdS, "%4.2f"),
                    nonConverged);
        }

        out.println();
        out.println("What-if gMRE (hold-out; train in brackets) vs the plain geometric-series floor on the hold-out:");
        out.printf(Locale.ROOT, "%-5s | %-17s | %-17s | %-17s | %s%n", "alg", "TT", "TD", "DT", "floor TT / TD");
        Map<Algorithm, Map<Target, CellEvaluation>> evTest = WhatIf.evaluate(test);
        Map<Algorithm, Map<Target, CellEvaluation>> evTrain = WhatIf.evaluate(train);
        for (Algorithm a : evTest.keySet()) {
            double[] floor = floor(split.test(), a);
            out.printf(
                    Locale.ROOT,
                    "%-5s | %.3f (%.3f)     | %.3f (%.3f)     | %.3f (%.3f)     | %.3f / %.3f%n",
                    a.shortName(),
                    evTest.get(a).get(Target.TT).gMRE(),
                    evTrain.get(a).get(Target.TT).gMRE(),
                    evTest.get(a).get(Target.TD).gMRE(),
                    evTrain.get(a).get(Target.TD).gMRE(),
                    evTest.get(a).get(Target.DT).gMRE(),
                    evTrain.get(a).get(Target.DT).gMRE(),
                    floor[0],
                    floor[1]);
        }
    }

    /** gMRE of TT and TD for the plain geometric series (PTR capped at the 1 GbE link). */
    static double[] floor(List<MigrationRecord> records, Algorithm a) {
        List<MigrationRecord> rs =
                records.stream().filter(r -> r.algorithm() == a).toList();
        double[] ttP = new double[rs.size()], ttA = new double[rs.size()];
        double[] tdP = new double[rs.size()], tdA = new double[rs.size()];
        GeometricPrecopy.Estimate e = new GeometricPrecopy.Estimate();
        for (int i = 0; i < rs.size(); i++) {
            MigrationRecord r = rs.get(i);
            double ptr = Math.min(r.raw(RawFeature.PTR), FeatureSchema.DEFAULT_LINK_SPEED_MBPS);
            GeometricPrecopy.estimate(
                    r.raw(RawFeature.VM_SIZE),
                    r.raw(RawFeature.PDR),
                    ptr,
                    Double.NaN,
                    GeometricPrecopy.DEFAULT_DOWNTIME_LIMIT_MS,
                    GeometricPrecopy.DEFAULT_MAX_ROUNDS,
                    e);
            ttP[i] = e.totalTimeMs;
            tdP[i] = e.transferredBytes;
            ttA[i] = r.target(Target.TT);
            tdA[i] = r.target(Target.TD);
        }
        return new double[] {ErrorMetrics.gMRE(ttP, ttA), ErrorMetrics.gMRE(tdP, tdA)};
    }

    private static String pair(double[] real, double[] sim, String fmt) {
        double[] r = real.clone(), s = sim.clone();
        Arrays.sort(r);
        Arrays.sort(s);
        return String.format(
                Locale.ROOT,
                fmt + " / " + fmt + " | " + fmt + " / " + fmt,
                ErrorMetrics.percentile(r, 0.5),
                ErrorMetrics.percentile(r, 0.9),
                ErrorMetrics.percentile(s, 0.5),
                ErrorMetrics.percentile(s, 0.9));
    }
}
