package io.lmadvisor.model.learn;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        return train(learner, learner, 1, real, sim, seed, progress);
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
        return (GradientBoostedModel) train((Learner) main, aux, realWeight, real, sim, seed, progress);
    }

    private static MigrationModel train(
            Learner main,
            Learner aux,
            int realWeight,
            List<MigrationRecord> real,
            List<MigrationRecord> sim,
            long seed,
            Learner.Progress progress) {
        if (main == aux) {
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
                mainRows.add(only(r, Target.TT, Target.DT, Target.TD));
            }
        }
        List<MigrationRecord> auxRows = new ArrayList<>(sim.size());
        for (MigrationRecord r : sim) {
            mainRows.add(only(r, Target.TT, Target.DT, Target.TD));
            auxRows.add(only(r, Target.PERF, Target.CPU, Target.MEM));
        }
        GradientBoostedModel m = (GradientBoostedModel) main.train(mainRows, FeatureSchema.full(), seed, progress);
        GradientBoostedModel a = (GradientBoostedModel) aux.train(auxRows, FeatureSchema.full(), seed, progress);
        @SuppressWarnings({"unchecked", "rawtypes"})
        XGBoostModel<Regressor>[] models = new XGBoostModel[CellIndex.COUNT];
        AnalyticOffset[] offsets = new AnalyticOffset[CellIndex.COUNT];
        for (int c = 0; c < CellIndex.COUNT; c++) {
            GradientBoostedModel from = CellIndex.target(c).ordinal() <= Target.TD.ordinal() ? m : a;
            models[c] = from.tribuoModel(CellIndex.algorithm(c), CellIndex.target(c));
            offsets[c] = from.offset(CellIndex.algorithm(c), CellIndex.target(c));
        }
        // The manifest records the main cells' parameters; every cell's Tribuo provenance has its own.
        return new GradientBoostedModel(FeatureSchema.full(), m.params(), models, offsets);
    }

    private static MigrationRecord only(MigrationRecord r, Target... keep) {
        double[] t = MigrationRecord.emptyTargets();
        for (Target k : keep) {
            t[k.ordinal()] = r.target(k);
        }
        return new MigrationRecord(r.id(), r.lineNumber(), r.algorithm(), r.workload(), r.raw(), t);
    }
}
