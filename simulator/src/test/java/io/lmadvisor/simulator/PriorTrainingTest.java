package io.lmadvisor.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.eval.EvaluationReport;
import io.lmadvisor.model.eval.Evaluator;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.learn.GbtParams;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.PriorTraining;
import io.lmadvisor.simulator.migration.Mechanics;
import io.lmadvisor.simulator.migration.MigrationOutcome;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import io.lmadvisor.simulator.migration.Records;
import io.lmadvisor.simulator.workload.FleetConfig;
import io.lmadvisor.simulator.workload.GeneratedVm;
import io.lmadvisor.simulator.workload.WorkloadGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prior learns what real rows teach while keeping the simulator's full-feature cells. "Reality" here
 * is the simulator with shifted mechanics (slower link, 2 s setup, a cheaper stop-and-copy) seen only
 * through the public subset's columns, so the test needs no real data and a wrong prior fails it.
 */
class PriorTrainingTest {
    static final FleetConfig FLEET = FleetConfig.csap();
    static final Mechanics REALITY = Mechanics.csap().withLinkUsableMBps(80).withTimes(2000, 30);
    /** Small and fast: the test checks direction, not the bundled model's accuracy. */
    static final GradientBoostedLearner GBT = new GradientBoostedLearner(
            new GbtParams(30, 5, 0.3, 1.0, 1.0, 2.0, 1.0, 0.0, true, 0, 0.05, EnumSet.noneOf(Target.class)), 1);
    /** Smaller trees for the simulator-only cells, as the bundled prior uses. */
    static final GradientBoostedLearner GBT_AUX = new GradientBoostedLearner(
            new GbtParams(25, 5, 0.3, 1.0, 1.0, 2.0, 1.0, 0.0, true, 0, 0.05, EnumSet.noneOf(Target.class)), 1);

    static List<MigrationRecord> simulated(int vms, long seed) {
        return rows(vms, seed, Mechanics.csap(), false);
    }

    /** Subset-shaped rows: size, dirty rate and bandwidth only, as in csap-subset. */
    static List<MigrationRecord> real(int vms, long seed) {
        return rows(vms, seed, REALITY, true);
    }

    static List<MigrationRecord> rows(int vms, long seed, Mechanics mechanics, boolean subsetColumns) {
        WorkloadGenerator gen = new WorkloadGenerator(FLEET);
        MigrationSimulator sim = new MigrationSimulator(mechanics);
        SplittableRandom rng = new SplittableRandom(seed);
        MigrationOutcome out = new MigrationOutcome();
        List<MigrationRecord> rows = new ArrayList<>();
        for (int v = 0; v < vms; v++) {
            GeneratedVm g = gen.next(rng.split());
            for (Algorithm a : Algorithm.values()) {
                sim.simulate(a, g.vm(), g.host(), FLEET.settings().withBandwidth(g.bandwidthMBps()), out);
                MigrationRecord r =
                        Records.toRecord(seed + "-" + v + "-" + a.code(), a, g.vm(), g.host(), g.bandwidthMBps(), out);
                if (subsetColumns) {
                    double[] raw = RawFeature.emptyVector();
                    for (RawFeature f : List.of(RawFeature.VM_SIZE, RawFeature.PDR, RawFeature.PTR)) {
                        raw[f.ordinal()] = r.raw(f);
                    }
                    double[] targets = r.targets().clone();
                    for (Target t : List.of(Target.PERF, Target.CPU, Target.MEM)) {
                        targets[t.ordinal()] = Double.NaN;
                    }
                    r = new MigrationRecord(r.id(), 0, a, null, raw, targets);
                }
                rows.add(r);
            }
        }
        return rows;
    }

    @Test
    void priorBeatsTheSimulatorOnlyModelOnHeldOutRealRowsAndKeepsEveryCell(@TempDir Path dir) throws Exception {
        List<MigrationRecord> sim = simulated(300, 7);
        List<MigrationRecord> realTrain = real(150, 11);
        List<MigrationRecord> realTest = real(60, 12);

        MigrationModel simOnly = GBT.train(sim, FeatureSchema.full(), 1, Learner.Progress.NONE);
        MigrationModel prior = PriorTraining.train(GBT, GBT_AUX, 1, realTrain, sim, 1, Learner.Progress.NONE);

        EvaluationReport before = Evaluator.evaluate("sim-only", simOnly, realTest);
        EvaluationReport after = Evaluator.evaluate("prior", prior, realTest);
        // The shift shows in TT (setup, link) and in pre-copy's DT (stop-and-copy cost); post-copy's DT is unshifted.
        for (Algorithm a : Algorithm.values()) {
            for (Target t : a == Algorithm.POSTCOPY ? List.of(Target.TT) : List.of(Target.TT, Target.DT)) {
                double b = before.cell(a, t).orElseThrow().gMRE();
                double p = after.cell(a, t).orElseThrow().gMRE();
                assertTrue(p < 0.7 * b, a + " " + t + ": prior " + p + " vs simulator-only " + b);
            }
        }
        // Full-feature inputs still get every cell, PERF/CPU/MEM included (from the smaller trees).
        assertEquals(
                25,
                ((io.lmadvisor.model.learn.GradientBoostedModel) prior)
                        .compiledTrees(Algorithm.PRECOPY, Target.PERF)
                        .trees());
        assertEquals(
                30,
                ((io.lmadvisor.model.learn.GradientBoostedModel) prior)
                        .compiledTrees(Algorithm.PRECOPY, Target.TT)
                        .trees());
        for (Algorithm a : Algorithm.values()) {
            for (Target t : Target.values()) {
                assertTrue(prior.supports(a, t), a + " " + t);
            }
        }
        EvaluationReport onSim = Evaluator.evaluate("prior", prior, simulated(60, 13));
        EvaluationReport simOnSim = Evaluator.evaluate("sim-only", simOnly, simulated(60, 13));
        for (Algorithm a : Algorithm.values()) {
            double p = onSim.cell(a, Target.PERF).orElseThrow().gMRE();
            double s = simOnSim.cell(a, Target.PERF).orElseThrow().gMRE();
            assertTrue(p < 1.3 * s, a + " PERF: prior " + p + " vs simulator-only " + s);
        }
    }

    @Test
    void provenanceNamesBothSourcesAndSurvivesTheModelFile(@TempDir Path dir) throws Exception {
        List<MigrationRecord> sim = simulated(40, 7);
        List<MigrationRecord> realTrain = real(20, 11);
        MigrationModel prior = PriorTraining.train(GBT, realTrain, sim, 1, Learner.Progress.NONE);
        PriorTraining.Provenance p = PriorTraining.Provenance.of(realTrain, 2, 0.3, 7, 200, sim);
        assertEquals(DatasetFingerprint.of(realTrain), p.realFingerprint());
        assertEquals(DatasetFingerprint.of(sim), p.simFingerprint());

        Path file = dir.resolve("prior.lmm");
        ModelArtifact.of(prior, p.describe(), Map.of(), Instant.parse("2026-11-30T00:00:00Z"))
                .save(file);
        String stored = ModelArtifact.load(file).trainingFingerprint();
        assertEquals(p.describe(), stored);
        assertTrue(
                stored.contains(
                        "csap-subset sha256:" + DatasetFingerprint.of(realTrain) + " (100 rows, each counted 2×"),
                stored);
        assertTrue(
                stored.contains("simulator csap512 seed 7, 200 rows generated, " + sim.size() + " trained on"), stored);
        assertTrue(stored.contains(DatasetFingerprint.of(sim)), stored);
    }

    @Test
    void aCellWithItsOwnRecipeGetsItAndEveryOtherCellStaysExactlyAsItWas() {
        List<MigrationRecord> sim = simulated(80, 7);
        List<MigrationRecord> realTrain = real(60, 11);
        var joint = PriorTraining.train(GBT, GBT_AUX, 2, realTrain, sim, 1, Learner.Progress.NONE);
        // Same parameters as --param, given per cell: the cell trains on its own rows yet comes out identical.
        var same = PriorTraining.CellRecipe.parse(
                List.of("POST.TD:rounds=30", "POST.TD:max_depth=5"),
                GBT.params().toMap(),
                GBT_AUX.params().toMap(),
                2);
        var deeper = PriorTraining.CellRecipe.parse(
                List.of("POST.TD:rounds=45", "POST.TD:max_depth=6", "POST.TD:real_weight=3"),
                GBT.params().toMap(),
                GBT_AUX.params().toMap(),
                2);
        var asJoint = PriorTraining.train(GBT, GBT_AUX, 2, same, realTrain, sim, 1, Learner.Progress.NONE);
        var own = PriorTraining.train(GBT, GBT_AUX, 2, deeper, realTrain, sim, 1, Learner.Progress.NONE);
        assertEquals(45, own.compiledTrees(Algorithm.POSTCOPY, Target.TD).trees());
        List<MigrationRecord> probe = new ArrayList<>(real(20, 12));
        probe.addAll(simulated(20, 13));
        FeatureSchema schema = FeatureSchema.full();
        boolean differs = false;
        for (MigrationRecord r : probe) {
            double[] x = schema.extract(r.raw());
            for (Algorithm a : Algorithm.values()) {
                for (Target t : Target.values()) {
                    double j = joint.predict(a, t, x);
                    assertEquals(j, asJoint.predict(a, t, x), 0.0, a + " " + t);
                    if (a == Algorithm.POSTCOPY && t == Target.TD) {
                        differs |= j != own.predict(a, t, x);
                    } else {
                        assertEquals(j, own.predict(a, t, x), 0.0, a + " " + t);
                    }
                }
            }
        }
        assertTrue(differs, "POST TD's own recipe changed nothing");
    }
}
