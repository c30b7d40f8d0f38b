package io.lmadvisor.streams.calibration;

import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.KFold;
import io.lmadvisor.model.eval.ErrorMetrics;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.CalibratedModel;
import io.lmadvisor.model.learn.Calibration;
import io.lmadvisor.model.learn.CellIndex;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.streams.recommend.SlaPolicies;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Champion/challenger on the fleet's rows: the challenger is calibrated from the prior on those rows,
 * and both are scored out of fold (k-fold; the champion as it is, the challenger re-calibrated on the
 * other folds). Promote only when it is better on most compared cells and worse on none by more than
 * the margin (relative, and {@link #MIN_WORSE_GMRE} absolute). No Kafka here; {@link CalibrationService} runs it.
 */
public final class ChampionChallenger {
    /** Cells with fewer out-of-fold rows are not compared: their gMRE is noise. */
    static final int MIN_CELL_ROWS = 5;
    /**
     * A cell is only "worse" by more than this much gMRE as well: 0.012 → 0.017 on a TD cell of 20 rows
     * is noise, yet 40 % relative, and kept a challenger that was 10× better on every time cell.
     */
    static final double MIN_WORSE_GMRE = 0.01;

    /** One cell's out-of-fold figures; gMRE NaN when undefined. */
    public record Cell(Algorithm algorithm, Target target, int rows, double championGmre, double challengerGmre) {
        boolean compared() {
            return rows >= MIN_CELL_ROWS && Double.isFinite(championGmre) && Double.isFinite(challengerGmre);
        }
    }

    /**
     * The backtest half: over the recorded fleet migrations, how many broke the SLA policy although the model
     * (the champion as it is, the challenger out of fold) predicted they would meet it. Those are the
     * violations a model lets through; judged on real outcomes with {@link SlaPolicies#violatedLimits}, the
     * advisor's own SLA check, so nothing here is a model's estimate of a migration that never ran.
     */
    public record SlaBacktest(int rows, int recordedViolations, int championMissed, int challengerMissed) {
        /** Whether the challenger lets through more real violations than the champion. */
        public boolean addsViolations() {
            return challengerMissed > championMissed;
        }
    }

    /** The outcome: the challenger (trained on every row) and whether it should serve. */
    public record Decision(
            boolean promote, String reason, ModelArtifact challenger, List<Cell> cells, SlaBacktest backtest) {}

    /** Trains a challenger from (prior, fleet rows); the service's is {@link Calibration#calibrate}. */
    public interface Trainer extends BiFunction<ModelArtifact, List<MigrationRecord>, MigrationModel> {}

    private ChampionChallenger() {}

    public static Trainer calibration(Calibration.Params params, long seed) {
        return (prior, rows) -> Calibration.calibrate(prior, rows, params, seed);
    }

    /** {@link #decide(ModelArtifact, ModelArtifact, List, int, double, Trainer, long, SlaPolicy)} with the built-in SLA. */
    public static Decision decide(
            ModelArtifact champion,
            ModelArtifact prior,
            List<MigrationRecord> rows,
            int folds,
            double margin,
            Trainer trainer,
            long seed) {
        // Building a policy instantiates the generated SlaObjective enum, which Avro refuses until trusted.
        io.lmadvisor.serde.AvroTrust.install();
        return decide(champion, prior, rows, folds, margin, trainer, seed, SlaPolicies.builtIn());
    }

    /**
     * @param policy the SLA the backtest judges every recorded migration by (fleet rows carry no VM id)
     */
    public static Decision decide(
            ModelArtifact champion,
            ModelArtifact prior,
            List<MigrationRecord> rows,
            int folds,
            double margin,
            Trainer trainer,
            long seed,
            SlaPolicy policy) {
        int k = Math.max(2, Math.min(folds, rows.size()));
        double[][] champ = new double[CellIndex.COUNT][rows.size()];
        double[][] chal = new double[CellIndex.COUNT][rows.size()];
        FeatureSchema cs = champion.schema();
        double[] xc = new double[cs.size()];
        FeatureSchema.Scratch scratchC = cs.newScratch();
        int[] assign = KFold.assignments(rows.size(), k, seed);
        for (int f = 0; f < k; f++) {
            List<MigrationRecord> train = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (assign[i] != f) {
                    train.add(rows.get(i));
                }
            }
            MigrationModel m = trainer.apply(prior, train);
            FeatureSchema ms = m.schema();
            double[] xm = new double[ms.size()];
            FeatureSchema.Scratch scratchM = ms.newScratch();
            for (int i = 0; i < rows.size(); i++) {
                if (assign[i] != f) {
                    continue;
                }
                MigrationRecord r = rows.get(i);
                cs.extract(r.raw(), xc, scratchC);
                ms.extract(r.raw(), xm, scratchM);
                for (Target t : Target.values()) {
                    int c = CellIndex.of(r.algorithm(), t);
                    champ[c][i] = champion.model().predict(r.algorithm(), t, xc);
                    chal[c][i] = m.predict(r.algorithm(), t, xm);
                }
            }
        }
        List<Cell> cells = new ArrayList<>();
        int better = 0;
        int compared = 0;
        List<String> worse = new ArrayList<>();
        for (int c = 0; c < CellIndex.COUNT; c++) {
            Algorithm a = CellIndex.algorithm(c);
            Target t = CellIndex.target(c);
            List<double[]> triples = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                MigrationRecord r = rows.get(i);
                if (r.algorithm() == a && r.has(t) && Double.isFinite(champ[c][i]) && Double.isFinite(chal[c][i])) {
                    triples.add(new double[] {r.target(t), champ[c][i], chal[c][i]});
                }
            }
            if (triples.isEmpty()) {
                continue;
            }
            Cell cell = new Cell(a, t, triples.size(), gmre(triples, 1), gmre(triples, 2));
            cells.add(cell);
            if (!cell.compared()) {
                continue;
            }
            compared++;
            if (cell.challengerGmre() < cell.championGmre()) {
                better++;
            }
            if (cell.challengerGmre() > cell.championGmre() * (1 + margin)
                    && cell.challengerGmre() - cell.championGmre() > MIN_WORSE_GMRE) {
                worse.add(String.format(
                        Locale.ROOT,
                        "%s.%s %.3f vs %.3f",
                        a.shortName(),
                        t,
                        cell.challengerGmre(),
                        cell.championGmre()));
            }
        }
        SlaBacktest backtest = backtest(rows, champ, chal, policy);
        boolean promote = compared > 0 && 2 * better > compared && worse.isEmpty() && !backtest.addsViolations();
        String reason;
        if (compared == 0) {
            reason = "no cell has " + MIN_CELL_ROWS + " or more fleet rows to compare on";
        } else {
            reason = String.format(
                            Locale.ROOT,
                            "challenger better on %d of %d cells by %d-fold cross-validation on %d fleet rows",
                            better,
                            compared,
                            k,
                            rows.size())
                    + (worse.isEmpty()
                            ? ", worse on none beyond the margin " + margin
                            : ", worse beyond the margin " + margin + " on " + String.join(", ", worse));
        }
        reason += String.format(
                Locale.ROOT,
                "; backtest over the %d recorded migrations (%d broke the SLA): the champion "
                        + "predicted %d of those to meet it, the challenger %d%s",
                backtest.rows(),
                backtest.recordedViolations(),
                backtest.championMissed(),
                backtest.challengerMissed(),
                backtest.addsViolations() ? ": it adds SLA violations" : "");
        Map<String, Double> validation = new LinkedHashMap<>();
        for (Cell c : cells) {
            if (Double.isFinite(c.challengerGmre())) {
                validation.put("cv.gMRE." + c.algorithm().shortName() + "." + c.target(), c.challengerGmre());
            }
        }
        MigrationModel full = trainer.apply(prior, rows);
        ModelArtifact challenger = full instanceof CalibratedModel cm
                ? Calibration.artifact(cm, rows, validation, Instant.now())
                : ModelArtifact.of(
                        full, io.lmadvisor.model.data.DatasetFingerprint.of(rows), validation, Instant.now());
        return new Decision(promote, reason, challenger, cells, backtest);
    }

    private static SlaBacktest backtest(
            List<MigrationRecord> rows, double[][] champ, double[][] chal, SlaPolicy policy) {
        int violations = 0;
        int championMissed = 0;
        int challengerMissed = 0;
        for (int i = 0; i < rows.size(); i++) {
            MigrationRecord r = rows.get(i);
            if (SlaPolicies.violatedLimits(
                            policy,
                            r.target(Target.TT),
                            r.target(Target.DT),
                            r.target(Target.TD),
                            r.target(Target.PERF))
                    .isEmpty()) {
                continue;
            }
            violations++;
            championMissed += meets(policy, champ, r.algorithm(), i) ? 1 : 0;
            challengerMissed += meets(policy, chal, r.algorithm(), i) ? 1 : 0;
        }
        return new SlaBacktest(rows.size(), violations, championMissed, challengerMissed);
    }

    private static boolean meets(SlaPolicy policy, double[][] predicted, Algorithm a, int i) {
        return SlaPolicies.violatedLimits(
                        policy,
                        predicted[CellIndex.of(a, Target.TT)][i],
                        predicted[CellIndex.of(a, Target.DT)][i],
                        predicted[CellIndex.of(a, Target.TD)][i],
                        predicted[CellIndex.of(a, Target.PERF)][i])
                .isEmpty();
    }

    private static double gmre(List<double[]> triples, int column) {
        double[] y = new double[triples.size()];
        double[] p = new double[triples.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = triples.get(i)[0];
            p[i] = triples.get(i)[column];
        }
        return ErrorMetrics.gMRE(p, y);
    }
}
