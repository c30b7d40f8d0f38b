package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;

/**
 * The bundled prior: one model over {@link FeatureSchema#full()} trained on real migrations that have
 * only some features (the public CSAP subset: size, dirty rate, bandwidth) mixed with simulated ones
 * that have all of them. A real row's absent features take XGBoost's missing-value branch, so the
 * trees learn the real rows' outcomes for inputs that look like the subset's, and the simulator's
 * for full-feature inputs; missingness itself marks the source, no indicator feature is needed.
 */
public final class PriorTraining {
    private PriorTraining() {}

    /**
     * Where a prior's data came from; {@link #describe()} is stored as the artifact's training
     * fingerprint, so {@code model explain} names both sources.
     *
     * @param realFingerprint SHA-256 of the real training rows ({@link DatasetFingerprint#of})
     * @param realHoldout     fraction of the real file held out by id hash (not trained on)
     * @param simFingerprint  SHA-256 of the simulated training rows
     */
    public record Provenance(
            String realFingerprint,
            int realRows,
            int realWeight,
            double realHoldout,
            long simSeed,
            long simRowsGenerated,
            int simRows,
            String simFingerprint) {
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "prior: csap-subset sha256:%s (%d rows, each counted %d×, train side of the %.2f id-hash hold-out)"
                            + " + simulator csap512 seed %d, %d rows generated, %d trained on (sha256:%s)",
                    realFingerprint,
                    realRows,
                    realWeight,
                    realHoldout,
                    simSeed,
                    simRowsGenerated,
                    simRows,
                    simFingerprint);
        }

        public static Provenance of(
                List<MigrationRecord> real,
                int realWeight,
                double realHoldout,
                long simSeed,
                long simRowsGenerated,
                List<MigrationRecord> sim) {
            return new Provenance(
                    DatasetFingerprint.of(real),
                    real.size(),
                    realWeight,
                    realHoldout,
                    simSeed,
                    simRowsGenerated,
                    sim.size(),
                    DatasetFingerprint.of(sim));
        }
    }

    /** Trains {@code learner} on the real and simulated rows together over the full schema. */
    public static MigrationModel train(
            Learner learner,
            List<MigrationRecord> real,
            List<MigrationRecord> sim,
            long seed,
            Learner.Progress progress) {
        return train(learner, learner, 1, Map.of(), real, sim, seed, progress);
    }

    /**
     * TT, DT and TD cells from {@code main} on the real rows (each repeated {@code realWeight} times) plus the
     * simulated ones; PERF, CPU and MEM cells, which only the simulator has, from {@code aux}: they can use
     * smaller trees, which leaves the scoring budget to the cells real data sharpens.
     */
    public static GradientBoostedModel train(
            GradientBoostedLearner main,
            GradientBoostedLearner aux,
            int realWeight,
            List<MigrationRecord> real,
            List<MigrationRecord> sim,
            long seed,
            Learner.Progress progress) {
        return (GradientBoostedModel) train((Learner) main, aux, realWeight, Map.of(), real, sim, seed, progress);
    }

    /**
     * As above, but the cells in {@code cells} get their own recipe (see {@link CellRecipe#parse}); every
     * other cell is trained exactly as without them (same rows in the same order, same per-cell seed).
     */
    public static GradientBoostedModel train(
            GradientBoostedLearner main,
            GradientBoostedLearner aux,
            int realWeight,
            Map<Integer, CellRecipe> cells,
            List<MigrationRecord> real,
            List<MigrationRecord> sim,
            long seed,
            Learner.Progress progress) {
        return (GradientBoostedModel) train((Learner) main, aux, realWeight, cells, real, sim, seed, progress);
    }

    private static MigrationModel train(
            Learner main,
            Learner aux,
            int realWeight,
            Map<Integer, CellRecipe> cells,
            List<MigrationRecord> real,
            List<MigrationRecord> sim,
            long seed,
            Learner.Progress progress) {
        if (main == aux && cells.isEmpty()) {
            List<MigrationRecord> all = new ArrayList<>(real.size() * Math.max(1, realWeight) + sim.size());
            for (int k = 0; k < Math.max(1, realWeight); k++) {
                all.addAll(real);
            }
            all.addAll(sim);
            return main.train(all, FeatureSchema.full(), seed, progress);
        }
        List<MigrationRecord> mainRows = new ArrayList<>();
        for (int k = 0; k < Math.max(1, realWeight); k++) {
            for (MigrationRecord r : real) {
                mainRows.add(only(r, cells, Target.TT, Target.DT, Target.TD));
            }
        }
        List<MigrationRecord> auxRows = new ArrayList<>(sim.size());
        for (MigrationRecord r : sim) {
            mainRows.add(only(r, cells, Target.TT, Target.DT, Target.TD));
            auxRows.add(only(r, cells, Target.PERF, Target.CPU, Target.MEM));
        }
        GradientBoostedModel m = (GradientBoostedModel) main.train(mainRows, FeatureSchema.full(), seed, progress);
        GradientBoostedModel a = (GradientBoostedModel) aux.train(auxRows, FeatureSchema.full(), seed, progress);
        @SuppressWarnings({"unchecked", "rawtypes"})
        XGBoostModel<Regressor>[] models = new XGBoostModel[CellIndex.COUNT];
        AnalyticOffset[] offsets = new AnalyticOffset[CellIndex.COUNT];
        for (int c = 0; c < CellIndex.COUNT; c++) {
            GradientBoostedModel from = CellIndex.target(c).ordinal() <= Target.TD.ordinal() ? m : a;
            CellRecipe own = cells.get(c);
            if (own != null) {
                from = trainCell(own, real, sim, seed, progress);
            }
            models[c] = from.tribuoModel(CellIndex.algorithm(c), CellIndex.target(c));
            offsets[c] = from.offset(CellIndex.algorithm(c), CellIndex.target(c));
        }
        // The manifest records the main cells' parameters; every cell's Tribuo provenance has its own.
        return new GradientBoostedModel(FeatureSchema.full(), m.params(), models, offsets);
    }

    /** One cell on its own rows, in the order the joint training sees them, so its seed and data match. */
    private static GradientBoostedModel trainCell(
            CellRecipe own,
            List<MigrationRecord> real,
            List<MigrationRecord> sim,
            long seed,
            Learner.Progress progress) {
        List<MigrationRecord> rows = new ArrayList<>();
        if (own.target().ordinal() <= Target.TD.ordinal()) {
            for (int k = 0; k < Math.max(1, own.realWeight()); k++) {
                for (MigrationRecord r : real) {
                    if (r.algorithm() == own.algorithm()) {
                        rows.add(only(r, Map.of(), own.target()));
                    }
                }
            }
        }
        for (MigrationRecord r : sim) {
            if (r.algorithm() == own.algorithm()) {
                rows.add(only(r, Map.of(), own.target()));
            }
        }
        return (GradientBoostedModel) own.learner().train(rows, FeatureSchema.full(), seed, progress);
    }

    /**
     * A cell's own training recipe for {@code model train-prior --cell-param}: its gbt parameters and how
     * often each real row counts.
     */
    public record CellRecipe(Algorithm algorithm, Target target, GradientBoostedLearner learner, int realWeight) {
        public static final String REAL_WEIGHT = "real_weight";

        /**
         * Parses {@code ALG.TARGET:key=value} specs (e.g. {@code POST.TD:max_depth=9}; keys are gbt parameters
         * or {@code real_weight}) on top of the parameters the cell would otherwise get: {@code mainParams} for
         * TT/DT/TD, {@code auxParams} for PERF/CPU/MEM, and {@code realWeight}.
         *
         * @throws IllegalArgumentException one sentence naming the bad spec, cell or key
         */
        public static Map<Integer, CellRecipe> parse(
                List<String> specs, Map<String, String> mainParams, Map<String, String> auxParams, int realWeight) {
            Map<Integer, Map<String, String>> byCell = new LinkedHashMap<>();
            for (String spec : specs) {
                int colon = spec.indexOf(':');
                int eq = spec.indexOf('=', Math.max(colon, 0));
                int dot = colon < 0 ? -1 : spec.lastIndexOf('.', colon);
                if (colon < 0 || dot < 0 || eq < 0) {
                    throw new IllegalArgumentException(
                            "--cell-param '" + spec + "' is not ALG.TARGET:key=value (e.g. POST.TD:max_depth=9)");
                }
                Algorithm a;
                Target t;
                try {
                    a = Algorithm.parse(spec.substring(0, dot));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--cell-param '" + spec + "': unknown algorithm '"
                            + spec.substring(0, dot) + "' (known: PRE, THR, DLTC, DTC, POST)");
                }
                try {
                    t = Target.valueOf(spec.substring(dot + 1, colon).trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--cell-param '" + spec + "': unknown target '"
                            + spec.substring(dot + 1, colon) + "' (known: TT, DT, TD, PERF, CPU, MEM)");
                }
                byCell.computeIfAbsent(CellIndex.of(a, t), c -> new LinkedHashMap<>())
                        .put(
                                spec.substring(colon + 1, eq).trim(),
                                spec.substring(eq + 1).trim());
            }
            Map<Integer, CellRecipe> out = new LinkedHashMap<>();
            for (Map.Entry<Integer, Map<String, String>> e : byCell.entrySet()) {
                Algorithm a = CellIndex.algorithm(e.getKey());
                Target t = CellIndex.target(e.getKey());
                String cell = a.shortName() + "." + t;
                Map<String, String> p =
                        new LinkedHashMap<>(t.ordinal() <= Target.TD.ordinal() ? mainParams : auxParams);
                int weight = realWeight;
                for (Map.Entry<String, String> kv : e.getValue().entrySet()) {
                    if (REAL_WEIGHT.equals(kv.getKey())) {
                        weight = parseWeight(cell, kv.getValue());
                    } else {
                        p.put(kv.getKey(), kv.getValue());
                    }
                }
                Learner l;
                try {
                    l = Learners.byName(GradientBoostedLearner.NAME, p);
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException(
                            "--cell-param for " + cell + ": a value is not a number (" + ex.getMessage() + ")");
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(
                            "--cell-param for " + cell + ": " + ex.getMessage() + " or " + REAL_WEIGHT);
                }
                out.put(e.getKey(), new CellRecipe(a, t, (GradientBoostedLearner) l, weight));
            }
            return out;
        }

        private static int parseWeight(String cell, String v) {
            try {
                int w = Integer.parseInt(v);
                if (w >= 1) {
                    return w;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "--cell-param for " + cell + ": " + REAL_WEIGHT + " must be a whole number ≥ 1, not '" + v + "'");
        }
    }

    /** {@code r} with only the {@code keep} targets, minus those of cells trained on their own. */
    private static MigrationRecord only(MigrationRecord r, Map<Integer, CellRecipe> ownCells, Target... keep) {
        double[] t = MigrationRecord.emptyTargets();
        for (Target k : keep) {
            if (!ownCells.containsKey(CellIndex.of(r.algorithm(), k))) {
                t[k.ordinal()] = r.target(k);
            }
        }
        return new MigrationRecord(r.id(), r.lineNumber(), r.algorithm(), r.workload(), r.raw(), t);
    }
}
