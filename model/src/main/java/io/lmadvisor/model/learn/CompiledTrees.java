package io.lmadvisor.model.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.regression.Regressor;

/**
 * An XGBoost tree ensemble flattened into primitive arrays and evaluated in plain Java: a single
 * row through the JNI booster costs ~1 ms, a walk over these arrays a few microseconds.
 * Splits follow XGBoost exactly: the value is compared as a float, {@code x < threshold} goes left,
 * NaN takes the node's default branch. Immutable and thread-safe.
 */
public final class CompiledTrees {
    private final double baseScore;
    private final int[] roots;
    /**
     * Two ints per node: split feature (schema index) and the left child's index; the right child is
     * always left + 1. A leaf points at itself and "splits" on a padding slot holding -inf, so every
     * tree can be walked a fixed {@link #maxDepth} steps without a loop-exit branch, several trees at
     * a time: the walks are latency-bound and interleaving four hides most of the load latency.
     */
    private final int[] nodes;
    /** Split threshold of an inner node, leaf value (learning rate applied) of a leaf. */
    private final float[] value;

    private final boolean[] defaultLeft;
    private final int maxDepth;
    private final int schemaSize;
    /** Features as floats plus the -inf padding slot; per thread so evaluation does not allocate. */
    private final ThreadLocal<float[]> scratch;
    /** Total loss reduction of the splits on each schema feature: the "gain" importance. */
    private final double[] gainByFeature;

    private final int[] splitsByFeature;

    private CompiledTrees(
            double baseScore,
            int[] roots,
            int[] nodes,
            float[] value,
            boolean[] defaultLeft,
            int maxDepth,
            int schemaSize,
            double[] gainByFeature,
            int[] splitsByFeature) {
        this.baseScore = baseScore;
        this.roots = roots;
        this.nodes = nodes;
        this.value = value;
        this.defaultLeft = defaultLeft;
        this.maxDepth = maxDepth;
        this.schemaSize = schemaSize;
        this.gainByFeature = gainByFeature;
        this.splitsByFeature = splitsByFeature;
        this.scratch = ThreadLocal.withInitial(() -> {
            float[] f = new float[schemaSize + 1];
            f[schemaSize] = Float.NEGATIVE_INFINITY;
            return f;
        });
    }

    /** Sum of the trees plus base score, for a feature vector in schema order. Does not allocate. */
    public double evaluate(double[] x) {
        float[] xf = scratch.get();
        for (int j = 0; j < schemaSize; j++) {
            double v = x[j];
            if (v != v) {
                return evaluateWithMissing(x);
            }
            xf[j] = (float) v;
        }
        final int[] nodes = this.nodes;
        final float[] value = this.value;
        final int[] roots = this.roots;
        final int depth = maxDepth;
        double sum = baseScore;
        int t = 0;
        for (; t + 4 <= roots.length; t += 4) {
            int n0 = roots[t];
            int n1 = roots[t + 1];
            int n2 = roots[t + 2];
            int n3 = roots[t + 3];
            for (int d = 0; d < depth; d++) {
                n0 = nodes[2 * n0 + 1] + (xf[nodes[2 * n0]] < value[n0] ? 0 : 1);
                n1 = nodes[2 * n1 + 1] + (xf[nodes[2 * n1]] < value[n1] ? 0 : 1);
                n2 = nodes[2 * n2 + 1] + (xf[nodes[2 * n2]] < value[n2] ? 0 : 1);
                n3 = nodes[2 * n3 + 1] + (xf[nodes[2 * n3]] < value[n3] ? 0 : 1);
            }
            sum += (double) value[n0] + value[n1] + value[n2] + value[n3];
        }
        for (; t < roots.length; t++) {
            int n = roots[t];
            for (int d = 0; d < depth; d++) {
                n = nodes[2 * n + 1] + (xf[nodes[2 * n]] < value[n] ? 0 : 1);
            }
            sum += value[n];
        }
        return sum;
    }

    /** Slow path for vectors with absent features: XGBoost's default branch per node. */
    private double evaluateWithMissing(double[] x) {
        final int[] nodes = this.nodes;
        final float[] value = this.value;
        double sum = baseScore;
        for (int root : roots) {
            int n = root;
            int next;
            while ((next = nodes[2 * n + 1]) != n) {
                double v = x[nodes[2 * n]];
                boolean left = v != v ? defaultLeft[n] : (float) v < value[n];
                n = next + (left ? 0 : 1);
            }
            sum += value[n];
        }
        return sum;
    }

    public int trees() {
        return roots.length;
    }

    public int nodes() {
        return value.length;
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
        double baseScore = Double.parseDouble(
                learner.path("learner_model_param").path("base_score").asText("0.5"));
        JsonNode gbm = learner.path("gradient_booster");
        if (!"gbtree".equals(gbm.path("name").asText())) {
            throw new IllegalArgumentException("only gbtree boosters can be compiled, found "
                    + gbm.path("name").asText());
        }
        JsonNode trees = gbm.path("model").path("trees");
        int total = 0;
        for (JsonNode t : trees) {
            total += t.path("left_children").size();
        }
        int[] roots = new int[trees.size()];
        int maxDepth = 0;
        int[] nodes = new int[2 * total];
        float[] value = new float[total];
        boolean[] defaultLeft = new boolean[total];
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
            // Renumber breadth-first so that siblings are adjacent (right = left + 1).
            int[] order = new int[n];
            int[] newIndex = new int[n];
            int[] depthOf = new int[n];
            int head = 0;
            int tail = 0;
            order[tail++] = 0;
            newIndex[0] = 0;
            while (head < tail) {
                int old = order[head++];
                if (l.get(old).asInt() >= 0) {
                    int li = l.get(old).asInt();
                    int ri = r.get(old).asInt();
                    depthOf[li] = depthOf[old] + 1;
                    depthOf[ri] = depthOf[old] + 1;
                    maxDepth = Math.max(maxDepth, depthOf[li]);
                    newIndex[li] = tail;
                    order[tail++] = li;
                    newIndex[ri] = tail;
                    order[tail++] = ri;
                }
            }
            if (tail != n) {
                throw new IllegalArgumentException("tree " + ti + " is not a single connected tree");
            }
            roots[ti++] = offset;
            for (int k = 0; k < n; k++) {
                int old = order[k];
                int g = offset + k;
                int li = l.get(old).asInt();
                if (li < 0) {
                    nodes[2 * g] = schemaSize;
                    nodes[2 * g + 1] = g;
                    value[g] = (float) cond.get(old).asDouble();
                    continue;
                }
                int xgbId = idx.get(old).asInt();
                int s = xgbId < idToSchema.length ? idToSchema[xgbId] : -1;
                if (s < 0) {
                    throw new IllegalArgumentException(
                            "split on feature id " + xgbId + " that the schema does not name");
                }
                nodes[2 * g] = s;
                nodes[2 * g + 1] = offset + newIndex[li];
                value[g] = (float) cond.get(old).asDouble();
                defaultLeft[g] = dl.get(old).asInt() != 0;
                gain[s] += loss.path(old).asDouble(0);
                splits[s]++;
            }
            offset += n;
        }
        return new CompiledTrees(baseScore, roots, nodes, value, defaultLeft, maxDepth, schemaSize, gain, splits);
    }
}
