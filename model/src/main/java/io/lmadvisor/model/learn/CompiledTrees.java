package io.lmadvisor.model.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An XGBoost tree ensemble flattened into primitive arrays and evaluated in plain Java: a single
 * row through the JNI booster costs ~1 ms, a walk over these arrays a few microseconds.
 * Splits follow XGBoost exactly: the value is compared as a float, {@code x < threshold} goes left,
 * NaN takes the node's default branch. Immutable and thread-safe.
 */
public final class CompiledTrees {
    private final double baseScore;
    private final int[] roots;
    /** Schema index of the split feature, -1 for a leaf. */
    private final int[] feature;
    private final float[] threshold;
    private final int[] left;
    private final int[] right;
    private final boolean[] defaultLeft;
    /** Leaf value (learning rate already applied); 0 for inner nodes. */
    private final double[] leaf;
    /** Total loss reduction of the splits on each schema feature: the "gain" importance. */
    private final double[] gainByFeature;
    private final int[] splitsByFeature;

    private CompiledTrees(double baseScore, int[] roots, int[] feature, float[] threshold, int[] left, int[] right,
                          boolean[] defaultLeft, double[] leaf, double[] gainByFeature, int[] splitsByFeature) {
        this.baseScore = baseScore;
        this.roots = roots;
        this.feature = feature;
        this.threshold = threshold;
        this.left = left;
        this.right = right;
        this.defaultLeft = defaultLeft;
        this.leaf = leaf;
        this.gainByFeature = gainByFeature;
        this.splitsByFeature = splitsByFeature;
    }

    /** Sum of the trees plus base score, for a feature vector in schema order. Does not allocate. */
    public double evaluate(double[] x) {
        final int[] feature = this.feature;
        final float[] threshold = this.threshold;
        final int[] left = this.left;
        final int[] right = this.right;
        double sum = baseScore;
        for (int root : roots) {
            int n = root;
            int f;
            while ((f = feature[n]) >= 0) {
                double v = x[f];
                if (v != v) {
                    n = defaultLeft[n] ? left[n] : right[n];
                } else {
                    n = (float) v < threshold[n] ? left[n] : right[n];
                }
            }
            sum += leaf[n];
        }
        return sum;
    }

    public int trees() {
        return roots.length;
    }

    public int nodes() {
        return feature.length;
    }

    public double[] gainByFeature() {
        return gainByFeature.clone();
    }

    public int[] splitsByFeature() {
        return splitsByFeature.clone();
    }

    /**
     * Compiles a single-output Tribuo XGBoost regression model whose features are named by
     * {@code schemaNames}. Tribuo numbers features by its own (sorted) feature map; the split ids are
     * remapped to schema order here.
     */
    public static CompiledTrees compile(XGBoostModel<Regressor> model, List<String> schemaNames) {
        List<Booster> boosters = model.getInnerModels();
        if (boosters.size() != 1) {
            throw new IllegalArgumentException("expected one booster (one output dimension), found " + boosters.size());
        }
        ImmutableFeatureMap fmap = model.getFeatureIDMap();
        int[] tribuoIdToSchema = new int[fmap.size()];
        java.util.Arrays.fill(tribuoIdToSchema, -1);
        for (int i = 0; i < schemaNames.size(); i++) {
            int id = fmap.getID(schemaNames.get(i));
            if (id >= 0) {
                tribuoIdToSchema[id] = i;
            }
        }
        try {
            byte[] json = boosters.get(0).toByteArray("json");
            return fromJson(new ObjectMapper().readTree(json), tribuoIdToSchema, schemaNames.size());
        } catch (XGBoostError | IOException e) {
            throw new IllegalStateException("cannot read the XGBoost model: " + e.getMessage(), e);
        } finally {
            for (Booster b : boosters) {
                b.dispose();
            }
        }
    }

    static CompiledTrees fromJson(JsonNode root, int[] idToSchema, int schemaSize) {
        JsonNode learner = root.path("learner");
        double baseScore = Double.parseDouble(learner.path("learner_model_param").path("base_score").asText("0.5"));
        JsonNode gbm = learner.path("gradient_booster");
        if (!"gbtree".equals(gbm.path("name").asText())) {
            throw new IllegalArgumentException("only gbtree boosters can be compiled, found " + gbm.path("name").asText());
        }
        JsonNode trees = gbm.path("model").path("trees");
        int total = 0;
        for (JsonNode t : trees) {
            total += t.path("left_children").size();
        }
        int[] roots = new int[trees.size()];
        int[] feature = new int[total];
        float[] threshold = new float[total];
        int[] left = new int[total];
        int[] right = new int[total];
        boolean[] defaultLeft = new boolean[total];
        double[] leaf = new double[total];
        double[] gain = new double[schemaSize];
        int[] splits = new int[schemaSize];
        int offset = 0;
        int ti = 0;
        for (JsonNode t : trees) {
            JsonNode l = t.path("left_children");
            JsonNode r = t.path("right_children");
            JsonNode idx = t.path("split_indices");
            JsonNode cond = t.path("split_conditions");
            JsonNode dl = t.path("default_left");
            JsonNode loss = t.path("loss_changes");
            int n = l.size();
            roots[ti++] = offset;
            for (int i = 0; i < n; i++) {
                int g = offset + i;
                int li = l.get(i).asInt();
                if (li < 0) {
                    feature[g] = -1;
                    leaf[g] = (float) cond.get(i).asDouble();
                    continue;
                }
                int xgbId = idx.get(i).asInt();
                int s = xgbId < idToSchema.length ? idToSchema[xgbId] : -1;
                if (s < 0) {
                    throw new IllegalArgumentException("split on feature id " + xgbId + " that the schema does not name");
                }
                feature[g] = s;
                threshold[g] = (float) cond.get(i).asDouble();
                left[g] = offset + li;
                right[g] = offset + r.get(i).asInt();
                defaultLeft[g] = dl.get(i).asInt() != 0;
                gain[s] += loss.path(i).asDouble(0);
                splits[s]++;
            }
            offset += n;
        }
        return new CompiledTrees(baseScore, roots, feature, threshold, left, right, defaultLeft, leaf, gain, splits);
    }
}
