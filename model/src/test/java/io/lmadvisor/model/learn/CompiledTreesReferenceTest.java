package io.lmadvisor.model.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.RawFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;

/**
 * The compiled trees of the shipped models against the evaluation they replaced, bit for bit: the reference
 * walks XGBoost's own JSON dump node by node (float compare, NaN to the default branch) and sums as the two
 * earlier walks did. Rows come from the lab dataset (agents' rows lack VM_pmu_instr and VM_net_util), the same
 * rows with every feature present, and with random features blanked out; each row also goes through a batch of
 * destinations, which must give what scoring them one at a time gives.
 */
class CompiledTreesReferenceTest {
    private static final Path LAB_ROWS = Path.of("..", "datasets", "lab", "qemu10-tcg.csv");

    @ParameterizedTest
    @ValueSource(
            strings = {"../streams-app/src/main/resources/models/lm-advisor-default.lmm", "../models/lab-qemu10-tcg.lmm"
            })
    void everyTreeEnsembleOfAShippedModelEvaluatesAsTheReference(String file) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(file)), file + " is not in this checkout");
        MigrationModel model = ModelArtifact.load(Path.of(file)).model();
        FeatureSchema schema = model.schema();
        List<double[]> rows = rows(schema);
        List<String> names = schema.names();
        int ensembles = 0;
        long compared = 0;
        for (XGBoostModel<Regressor> m : ensembles(model)) {
            CompiledTrees compiled = CompiledTrees.compile(m, names);
            Reference reference = Reference.of(m, names);
            FeatureBatch batch = new FeatureBatch(schema.size());
            double[] out = new double[3];
            for (double[] x : rows) {
                double expected = reference.evaluate(x);
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(compiled.evaluate(x)));
                // The same row at three destinations: the first and third identical, the second different.
                double[] other = x.clone();
                other[names.indexOf(RawFeature.DST_CPU_AVAIL.csapColumn())] = 37.5;
                other[names.indexOf(RawFeature.DST_MEM_AVAIL.csapColumn())] = 1.0e5;
                batch.set(new double[][] {x, other, x}, 3);
                compiled.evaluateAll(batch, out);
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(out[0]));
                assertEquals(Double.doubleToRawLongBits(reference.evaluate(other)), Double.doubleToRawLongBits(out[1]));
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(out[2]));
                compared += 4;
            }
            ensembles++;
        }
        assertTrue(ensembles >= 30, "only " + ensembles + " tree ensembles in " + file);
        assertTrue(compared >= 30L * 4 * 400, compared + " comparisons");
    }

    /** Lab rows as they are, with every feature present, and with random features absent. */
    private static List<double[]> rows(FeatureSchema schema) throws Exception {
        List<MigrationRecord> lab =
                DatasetFormat.CSAP512.read(LAB_ROWS, ReadOptions.defaults()).records();
        SplittableRandom rnd = new SplittableRandom(17);
        List<double[]> rows = new ArrayList<>();
        boolean sawMissing = false;
        for (MigrationRecord r : lab) {
            double[] raw = r.raw();
            double[] full = raw.clone();
            double[] holes = raw.clone();
            for (int f = 0; f < RawFeature.COUNT; f++) {
                if (Double.isNaN(full[f])) {
                    full[f] = rnd.nextDouble(0, 2000);
                }
                if (rnd.nextInt(4) == 0) {
                    holes[f] = Double.NaN;
                }
            }
            double[] x = schema.extract(raw);
            for (double v : x) {
                sawMissing |= Double.isNaN(v);
            }
            rows.add(x);
            rows.add(schema.extract(full));
            rows.add(schema.extract(holes));
            double[] fullX = schema.extract(full);
            for (double v : fullX) {
                assertTrue(!Double.isNaN(v), "a filled row still lacks a feature");
            }
        }
        assertTrue(sawMissing, "the lab rows were expected to lack some features");
        assertTrue(rows.size() >= 400, rows.size() + " rows");
        return rows;
    }

    /** Every XGBoost ensemble a model evaluates: its cells, and for a calibrated model the prior's and the fleet's. */
    private static List<XGBoostModel<Regressor>> ensembles(MigrationModel model) {
        List<XGBoostModel<Regressor>> out = new ArrayList<>();
        GradientBoostedModel[] gbts = model instanceof CalibratedModel
                ? new GradientBoostedModel[] {
                    (GradientBoostedModel) ((CalibratedModel) model).prior().model(),
                    ((CalibratedModel) model).correction()
                }
                : new GradientBoostedModel[] {(GradientBoostedModel) model};
        for (GradientBoostedModel g : gbts) {
            if (g == null) {
                continue;
            }
            for (Algorithm a : Algorithm.values()) {
                for (Target t : Target.values()) {
                    if (g.tribuoModel(a, t) != null) {
                        out.add(g.tribuoModel(a, t));
                    }
                }
            }
        }
        if (model instanceof CalibratedModel) {
            for (Target t : Target.values()) {
                if (((CalibratedModel) model).pooled(t) != null) {
                    out.add(((CalibratedModel) model).pooled(t));
                }
            }
        }
        return out;
    }

    /** The evaluation before the float slots, kept as the reference: XGBoost's JSON walked node by node. */
    private record Reference(double baseScore, List<JsonNode> trees, int[] xgbToSchema) {
        static Reference of(XGBoostModel<Regressor> model, List<String> names) throws Exception {
            List<Booster> boosters = model.getInnerModels();
            try {
                JsonNode root = new ObjectMapper().readTree(boosters.get(0).toByteArray("json"));
                JsonNode learner = root.path("learner");
                double base = Double.parseDouble(
                        learner.path("learner_model_param").path("base_score").asText("0.5"));
                List<JsonNode> trees = new ArrayList<>();
                learner.path("gradient_booster").path("model").path("trees").forEach(trees::add);
                int[] map = new int[model.getFeatureIDMap().size()];
                for (int i = 0; i < names.size(); i++) {
                    int id = model.getFeatureIDMap().getID(names.get(i));
                    if (id >= 0) {
                        map[id] = i;
                    }
                }
                return new Reference(base, trees, map);
            } finally {
                boosters.forEach(Booster::dispose);
            }
        }

        double evaluate(double[] x) {
            boolean missing = false;
            for (double v : x) {
                missing |= Double.isNaN(v);
            }
            double sum = baseScore;
            int t = 0;
            if (!missing) {
                for (; t + 4 <= trees.size(); t += 4) {
                    sum += (double) leaf(t, x) + leaf(t + 1, x) + leaf(t + 2, x) + leaf(t + 3, x);
                }
            }
            for (; t < trees.size(); t++) {
                sum += leaf(t, x);
            }
            return sum;
        }

        private float leaf(int tree, double[] x) {
            JsonNode t = trees.get(tree);
            int n = 0;
            while (t.path("left_children").get(n).asInt() >= 0) {
                double v = x[xgbToSchema[t.path("split_indices").get(n).asInt()]];
                boolean left = Double.isNaN(v)
                        ? t.path("default_left").get(n).asInt() != 0
                        : (float) v < (float) t.path("split_conditions").get(n).asDouble();
                n = left
                        ? t.path("left_children").get(n).asInt()
                        : t.path("right_children").get(n).asInt();
            }
            return (float) t.path("split_conditions").get(n).asDouble();
        }
    }
}
