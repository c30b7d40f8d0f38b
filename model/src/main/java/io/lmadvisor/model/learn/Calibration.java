package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.data.PostcopyDowntime;
import io.lmadvisor.model.features.FeatureSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;

/**
 * Fleet calibration: learns a fleet's correction on top of a prior. A few shallow, strongly regularised
 * trees are boosted from the prior's prediction (base score 0 on the model-space residual
 * {@code log y − log prior}): first per target on every algorithm's rows (the fleet-wide part), then per
 * (algorithm, target) cell on what remains. Each part needs {@link Params#minRows} rows and must beat
 * the prior out of fold, so a few dozen migrations move the model towards the fleet while a cell the
 * fleet has no rows for keeps the prior unchanged.
 */
public final class Calibration {
    /**
     * Out-of-fold gain a cell's correction must show: on a few dozen rows a chance gain of a few percent
     * is common where the fleet agrees with the prior, and fitting that noise made such cells worse.
     */
    static final double MIN_GAIN = 0.10;

    private Calibration() {}

    /**
     * @param rounds         trees per corrected cell
     * @param maxDepth       depth of each tree
     * @param eta            shrinkage per tree
     * @param lambda         L2 penalty on leaf values: with n rows a leaf moves n/(n+λ) of the residual per round
     * @param minChildWeight fewest rows in a leaf
     * @param minRows        fewest fleet rows a cell needs to be corrected by trees
     * @param pooled         whether the fleet-wide part (per target, every algorithm's rows) is fitted
     * @param offsetMinRows  fewest rows for a cell's constant offset (0 = no offsets)
     * @param offsetShrink   κ: a cell's offset is the median residual × n/(n+κ)
     * @param mayReplace     whether a cell may drop the prior for the fleet's own median (plus trees) when that
     *                       fits better out of fold: where the prior's figure means something else on this fleet
     * @param physics        whether a cell may use a formula fitted to the fleet instead of the prior when that fits
     *                       better out of fold: {@link MultifdZstd} for COMPRESS TT, {@link DowntimeLogLinear} for DT
     */
    public record Params(
            int rounds,
            int maxDepth,
            double eta,
            double lambda,
            double minChildWeight,
            int minRows,
            boolean pooled,
            int offsetMinRows,
            double offsetShrink,
            boolean mayReplace,
            boolean physics) {
        public static Params defaults() {
            return new Params(30, 2, 0.15, 5.0, 2.0, 5, false, 2, 1.0, true, true);
        }

        public Params(
                int rounds,
                int maxDepth,
                double eta,
                double lambda,
                double minChildWeight,
                int minRows,
                boolean pooled,
                int offsetMinRows,
                double offsetShrink,
                boolean mayReplace) {
            this(
                    rounds,
                    maxDepth,
                    eta,
                    lambda,
                    minChildWeight,
                    minRows,
                    pooled,
                    offsetMinRows,
                    offsetShrink,
                    mayReplace,
                    false);
        }

        /** Without the constant per-cell offsets (the calibration before the lab data). */
        public Params(int rounds, int maxDepth, double eta, double lambda, double minChildWeight, int minRows) {
            this(rounds, maxDepth, eta, lambda, minChildWeight, minRows, true, 0, 1.0, false);
        }

        public Params withMinRows(int rows) {
            return new Params(
                    rounds,
                    maxDepth,
                    eta,
                    lambda,
                    minChildWeight,
                    rows,
                    pooled,
                    offsetMinRows,
                    offsetShrink,
                    mayReplace,
                    physics);
        }

        public Map<String, String> toMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("calibration.rounds", Integer.toString(rounds));
            m.put("calibration.max_depth", Integer.toString(maxDepth));
            m.put("calibration.eta", Double.toString(eta));
            m.put("calibration.lambda", Double.toString(lambda));
            m.put("calibration.min_child_weight", Double.toString(minChildWeight));
            m.put("calibration.min_rows", Integer.toString(minRows));
            m.put("calibration.pooled", Boolean.toString(pooled));
            m.put("calibration.offset_min_rows", Integer.toString(offsetMinRows));
            m.put("calibration.offset_shrink", Double.toString(offsetShrink));
            m.put("calibration.may_replace", Boolean.toString(mayReplace));
            m.put("calibration.physics", Boolean.toString(physics));
            return m;
        }

        public static Params fromMap(Map<String, String> m) {
            Params d = defaults();
            return new Params(
                    Integer.parseInt(m.getOrDefault("calibration.rounds", Integer.toString(d.rounds))),
                    Integer.parseInt(m.getOrDefault("calibration.max_depth", Integer.toString(d.maxDepth))),
                    Double.parseDouble(m.getOrDefault("calibration.eta", Double.toString(d.eta))),
                    Double.parseDouble(m.getOrDefault("calibration.lambda", Double.toString(d.lambda))),
                    Double.parseDouble(
                            m.getOrDefault("calibration.min_child_weight", Double.toString(d.minChildWeight))),
                    Integer.parseInt(m.getOrDefault("calibration.min_rows", Integer.toString(d.minRows))),
                    // A model calibrated before these existed was pooled and had no offsets.
                    Boolean.parseBoolean(m.getOrDefault("calibration.pooled", "true")),
                    Integer.parseInt(m.getOrDefault("calibration.offset_min_rows", "0")),
                    Double.parseDouble(m.getOrDefault("calibration.offset_shrink", Double.toString(d.offsetShrink))),
                    Boolean.parseBoolean(m.getOrDefault("calibration.may_replace", "false")),
                    // A model calibrated before multifd+zstd's physics existed had none.
                    Boolean.parseBoolean(m.getOrDefault("calibration.physics", "false")));
        }

        public GbtParams gbt() {
            return new GbtParams(rounds, maxDepth, eta, 1.0, 1.0, minChildWeight, lambda, 0.0, false);
        }
    }

    /** The calibrated model of {@code prior} on {@code fleet} (single-threaded: it runs beside the service). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static CalibratedModel calibrate(
            ModelArtifact prior, List<MigrationRecord> fleet, Params params, long seed) {
        // QEMU's post-copy downtime sentinel is a whole post-copy phase, not a stop: read it as the 0 ms it was.
        fleet = PostcopyDowntime.corrected(fleet);
        FeatureSchema schema = prior.schema();
        MigrationModel pm = prior.model();
        String[] names = schema.names().toArray(new String[0]);
        XGBoostModel<Regressor>[] models = new XGBoostModel[CellIndex.COUNT];
        XGBoostModel<Regressor>[] pooled = new XGBoostModel[Target.values().length];
        int[] rows = new int[CellIndex.COUNT];
        List<TrainingSet> cells = new ArrayList<>();
        Map<TrainingSet, double[]> residuals = new HashMap<>();
        for (TrainingSet cell : TrainingSet.cells(fleet, schema, 1)) {
            rows[CellIndex.of(cell.algorithm, cell.target)] = cell.rows();
            if (!pm.supports(cell.algorithm, cell.target)) {
                continue;
            }
            double[] r = new double[cell.rows()];
            for (int i = 0; i < r.length; i++) {
                double p = pm.predict(cell.algorithm, cell.target, cell.x[i]);
                r[i] = cell.y[i] - TargetSpace.toModel(cell.target, Math.max(p, 0.0));
            }
            cells.add(cell);
            residuals.put(cell, r);
        }
        // Fleet-wide part first: a slower network or host slows every algorithm, and pooling lets a
        // few rows per algorithm correct them all.
        for (Target t : Target.values()) {
            List<double[]> xs = new ArrayList<>();
            List<Double> rs = new ArrayList<>();
            for (TrainingSet cell : cells) {
                if (cell.target == t) {
                    double[] r = residuals.get(cell);
                    for (int i = 0; i < r.length; i++) {
                        xs.add(cell.x[i]);
                        rs.add(r[i]);
                    }
                }
            }
            if (!params.pooled() || rs.size() < params.minRows()) {
                continue;
            }
            double[][] x = xs.toArray(new double[0][]);
            double[] r = rs.stream().mapToDouble(Double::doubleValue).toArray();
            if (!helps(x, r, names, params, seed + 100 + t.ordinal())) {
                continue;
            }
            pooled[t.ordinal()] = (XGBoostModel<Regressor>) trainer(params, seed + 100 + t.ordinal())
                    .train(TribuoData.dataset(
                            "lm-advisor calibration */" + t + " (" + r.length + " fleet rows on prior "
                                    + prior.versionId() + ")",
                            names,
                            x,
                            r));
            CompiledTrees trees = CompiledTrees.compile(pooled[t.ordinal()], schema.names());
            for (TrainingSet cell : cells) {
                if (cell.target == t) {
                    double[] left = residuals.get(cell);
                    for (int i = 0; i < left.length; i++) {
                        left[i] -= trees.evaluate(cell.x[i]);
                    }
                }
            }
        }
        // Per cell, whichever fits its rows best out of fold (mean |log error|, and by MIN_GAIN better than the
        // prior as it is): a constant offset to the prior (the median residual, shrunk towards 0 for few rows:
        // robust to the one-off outliers real migrations have, and it needs only a couple of rows); trees on the
        // prior's residual; or, where the prior's figure means something else on this fleet (the simulator's
        // CPU and memory against what a real host measures), the fleet's own median, with trees on what it leaves.
        double[] offsets = new double[CellIndex.COUNT];
        boolean[] replaced = new boolean[CellIndex.COUNT];
        CellFormula[] formulas = new CellFormula[CellIndex.COUNT];
        for (TrainingSet cell : cells) {
            int c = CellIndex.of(cell.algorithm, cell.target);
            double[] r = residuals.get(cell);
            boolean offsetOk = params.offsetMinRows() > 0 && r.length >= Math.max(2, params.offsetMinRows());
            boolean treesOk = cell.rows() >= Math.max(2, params.minRows());
            double none = meanAbs(r);
            double constant = offsetOk ? outOfFoldOffset(r, params, seed + c) : Double.POSITIVE_INFINITY;
            double trees = treesOk ? outOfFoldTrees(cell.x, r, names, params, seed + c) : Double.POSITIVE_INFINITY;
            // TT and TD follow the physics the prior learned (size, dirty rate, bandwidth): only corrected, never
            // replaced.
            boolean mayReplace = params.mayReplace() && cell.target != Target.TT && cell.target != Target.TD;
            double median =
                    mayReplace && offsetOk ? outOfFoldOffset(cell.y, NO_SHRINK, seed + c) : Double.POSITIVE_INFINITY;
            double[] fromMedian = null;
            double medianTrees = Double.POSITIVE_INFINITY;
            if (mayReplace && offsetOk && treesOk) {
                double m = offset(cell.y, NO_SHRINK);
                fromMedian = new double[r.length];
                for (int i = 0; i < r.length; i++) {
                    fromMedian[i] = cell.y[i] - m;
                }
                medianTrees = outOfFoldTrees(cell.x, fromMedian, names, params, seed + c);
            }
            // A formula fitted to the fleet may stand in for the prior (its parameters refitted in every fold):
            // COMPRESS TT, where the prior learned zlib `compress`, by multifd+zstd's physics; DT, which the
            // prior learned from 2016 KVM, by a power law of bandwidth and incompressible dirtying.
            // Multifd's physics holds on 3-4 rows (out of sample on the lab: gMRE 0.14 from 4 rows); DT's power law
            // needs the rows trees need.
            Fitter fitter = params.physics() && cell.rows() >= minFormulaRows(cell.algorithm, cell.target, params)
                    ? fitter(cell.algorithm, cell.target)
                    : null;
            double formula = fitter == null
                    ? Double.POSITIVE_INFINITY
                    : outOfFoldFormula(schema, fitter, cell.target, cell.x, cell.y, seed + c);
            double best = Math.min(Math.min(Math.min(constant, trees), Math.min(median, medianTrees)), formula);
            if (best >= (1 - MIN_GAIN) * none) {
                continue;
            }
            double[] fit;
            if (best == formula) {
                formulas[c] = fitter.fit(schema, cell.x, cell.y);
                continue;
            } else if (best == constant) {
                offsets[c] = offset(r, params);
                continue;
            } else if (best == median) {
                offsets[c] = offset(cell.y, NO_SHRINK);
                replaced[c] = true;
                continue;
            } else if (best == medianTrees) {
                offsets[c] = offset(cell.y, NO_SHRINK);
                replaced[c] = true;
                fit = fromMedian;
            } else {
                fit = r;
            }
            String description = "lm-advisor calibration " + cell.algorithm + "/" + cell.target + " (" + r.length
                    + " fleet rows on " + (replaced[c] ? "their median" : "prior " + prior.versionId()) + ")";
            models[c] = (XGBoostModel<Regressor>)
                    trainer(params, seed + c).train(TribuoData.dataset(description, names, cell.x, fit));
        }
        return new CalibratedModel(
                prior,
                pooled,
                new GradientBoostedModel(schema, params.gbt(), models, new AnalyticOffset[CellIndex.COUNT]),
                params,
                rows,
                offsets,
                replaced,
                formulas);
    }

    /** Fits a {@link CellFormula} to rows' model-space targets; null when it cannot. */
    @FunctionalInterface
    interface Fitter {
        CellFormula fit(FeatureSchema schema, double[][] x, double[] yModel);
    }

    static int minFormulaRows(Algorithm algorithm, Target target, Params params) {
        return algorithm == Algorithm.COMPRESS && target == Target.TT ? 3 : Math.max(5, params.minRows());
    }

    /** The formula a cell may use instead of the prior, or null. */
    static Fitter fitter(Algorithm algorithm, Target target) {
        if (algorithm == Algorithm.COMPRESS && target == Target.TT) {
            return MultifdZstd::fit;
        }
        if (target == Target.DT) {
            return DowntimeLogLinear::fit;
        }
        return null;
    }

    /** Mean |model-space error| of a formula out of fold (k-fold within the rows, k ≤ 5); infinite if it cannot fit. */
    private static double outOfFoldFormula(
            FeatureSchema schema, Fitter fitter, Target target, double[][] x, double[] y, long seed) {
        int n = y.length;
        int k = Math.min(5, n);
        int[] fold = io.lmadvisor.model.data.KFold.assignments(n, k, seed);
        double err = 0;
        for (int f = 0; f < k; f++) {
            List<double[]> tx = new ArrayList<>();
            List<Double> ty = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    tx.add(x[i]);
                    ty.add(y[i]);
                }
            }
            CellFormula m = fitter.fit(
                    schema,
                    tx.toArray(new double[0][]),
                    ty.stream().mapToDouble(Double::doubleValue).toArray());
            for (int i = 0; i < n; i++) {
                if (fold[i] == f) {
                    double p = m == null ? Double.NaN : m.predict(schema, x[i]);
                    if (!(p >= 0)) {
                        return Double.POSITIVE_INFINITY;
                    }
                    err += Math.abs(y[i] - TargetSpace.toModel(target, p));
                }
            }
        }
        return err / n;
    }

    /** The plain median: the fleet's own figure needs no shrinking towards a prior it does not use. */
    private static final Params NO_SHRINK = new Params(0, 0, 0, 0, 0, 0, false, 1, 0.0, false);

    /** Whether trees beat the prior out of fold by {@link #MIN_GAIN} (mean |log error|, k-fold within the rows). */
    private static boolean helps(double[][] x, double[] r, String[] names, Params params, long seed) {
        return outOfFoldTrees(x, r, names, params, seed) < (1 - MIN_GAIN) * meanAbs(r);
    }

    private static double meanAbs(double[] r) {
        double s = 0;
        for (double v : r) {
            s += Math.abs(v);
        }
        return s / r.length;
    }

    /** A cell's constant correction: the median residual × n/(n+κ). */
    static double offset(double[] r, Params params) {
        double[] sorted = r.clone();
        java.util.Arrays.sort(sorted);
        return io.lmadvisor.model.eval.ErrorMetrics.percentile(sorted, 0.5)
                * r.length
                / (r.length + params.offsetShrink());
    }

    private static double outOfFoldOffset(double[] r, Params params, long seed) {
        int n = r.length;
        int k = Math.min(5, n);
        int[] fold = io.lmadvisor.model.data.KFold.assignments(n, k, seed);
        double err = 0;
        for (int f = 0; f < k; f++) {
            double[] train = new double[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    train[m++] = r[i];
                }
            }
            double o = offset(java.util.Arrays.copyOf(train, m), params);
            for (int i = 0; i < n; i++) {
                if (fold[i] == f) {
                    err += Math.abs(r[i] - o);
                }
            }
        }
        return err / n;
    }

    /** Mean |log error| of trees out of fold (k-fold within the rows, k ≤ 5). */
    private static double outOfFoldTrees(double[][] x, double[] r, String[] names, Params params, long seed) {
        int n = r.length;
        int k = Math.min(5, n);
        int[] fold = io.lmadvisor.model.data.KFold.assignments(n, k, seed);
        double corrected = 0;
        for (int f = 0; f < k; f++) {
            int m = 0;
            for (int v : fold) {
                m += v == f ? 0 : 1;
            }
            double[][] tx = new double[m][];
            double[] tr = new double[m];
            for (int i = 0, j = 0; i < n; i++) {
                if (fold[i] != f) {
                    tx[j] = x[i];
                    tr[j++] = r[i];
                }
            }
            @SuppressWarnings("unchecked")
            XGBoostModel<Regressor> model = (XGBoostModel<Regressor>)
                    trainer(params, seed).train(TribuoData.dataset("calibration check", names, tx, tr));
            CompiledTrees trees = CompiledTrees.compile(model, List.of(names));
            for (int i = 0; i < n; i++) {
                if (fold[i] == f) {
                    corrected += Math.abs(r[i] - trees.evaluate(x[i]));
                }
            }
        }
        return corrected / n;
    }

    /** The artifact of a calibration: its training fingerprint names the prior and the fleet rows. */
    public static ModelArtifact artifact(
            CalibratedModel model, List<MigrationRecord> fleet, Map<String, Double> validation, Instant createdAt) {
        return ModelArtifact.of(model, fingerprint(model.prior(), fleet), validation, createdAt);
    }

    public static String fingerprint(ModelArtifact prior, List<MigrationRecord> fleet) {
        return String.format(
                Locale.ROOT,
                "fleet sha256:%s (%d rows) on prior %s [%s]",
                DatasetFingerprint.of(fleet),
                fleet.size(),
                prior.versionId(),
                prior.trainingFingerprint());
    }

    private static XGBoostRegressionTrainer trainer(Params p, long seed) {
        Map<String, Object> xgb = new HashMap<>();
        xgb.put("booster", "gbtree");
        xgb.put("objective", "reg:squarederror");
        xgb.put("tree_method", "exact");
        xgb.put("eta", p.eta());
        xgb.put("max_depth", p.maxDepth());
        xgb.put("min_child_weight", p.minChildWeight());
        xgb.put("lambda", p.lambda());
        xgb.put("subsample", 1.0);
        // Start from the prior itself: shrinkage then pulls towards "no correction", not towards 0.5.
        xgb.put("base_score", 0.0);
        xgb.put("nthread", 1);
        xgb.put("seed", seed);
        xgb.put("verbosity", 0);
        return new XGBoostRegressionTrainer(XGBoostRegressionTrainer.RegressionType.LINEAR, p.rounds(), xgb);
    }
}
