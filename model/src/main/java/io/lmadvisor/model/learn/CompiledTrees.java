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
     * Two ints per node: the float slot it splits on and the left child's index; the right child is
     * always left + 1. A leaf points at itself and "splits" on a padding slot holding -inf, so every
     * tree can be walked a fixed {@link #maxDepth} steps without a loop-exit branch, several trees at
     * a time: the walks are latency-bound and interleaving four hides most of the load latency.
     */
    private final int[] nodes;
    /** Split threshold of an inner node, leaf value (learning rate applied) of a leaf. */
    private final float[] value;
    /** Per node, the schema features split on between the root and it, as {@link #featureBit}s. */
    private final int[] pathFeatures;

    private final int maxDepth;
    private final int schemaSize;
    /** Features in the float layout of {@link #toSlots}; per thread so evaluation does not allocate. */
    private final ThreadLocal<float[]> scratch;
    /** Total loss reduction of the splits on each schema feature: the "gain" importance. */
    private final double[] gainByFeature;

    private final int[] splitsByFeature;

    private CompiledTrees(
            double baseScore,
            int[] roots,
            int[] nodes,
            float[] value,
            int[] pathFeatures,
            int maxDepth,
            int schemaSize,
            double[] gainByFeature,
            int[] splitsByFeature) {
        this.baseScore = baseScore;
        this.roots = roots;
        this.nodes = nodes;
        this.value = value;
        this.pathFeatures = pathFeatures;
        this.maxDepth = maxDepth;
        this.schemaSize = schemaSize;
        this.gainByFeature = gainByFeature;
        this.splitsByFeature = splitsByFeature;
        this.scratch = ThreadLocal.withInitial(() -> newSlots(schemaSize));
    }

    /**
     * Float slots of a schema: two per feature and the padding slot. Feature j is in slot 2j with NaN
     * replaced by -inf, which every split sends left, and in slot 2j+1 as it is (NaN goes right, as
     * {@code NaN < t} is false). A node splits on the slot its default branch names, so a missing value
     * takes the same branch-free step as a present one.
     */
    static int slotCount(int schemaSize) {
        return 2 * schemaSize + 1;
    }

    static float[] newSlots(int schemaSize) {
        float[] f = new float[slotCount(schemaSize)];
        f[2 * schemaSize] = Float.NEGATIVE_INFINITY;
        return f;
    }

    /** A schema feature as a bit of a 32-bit set; features from 32 on set every bit, which only costs sharing. */
    static int featureBit(int feature) {
        return feature < 32 ? 1 << feature : -1;
    }

    /** Writes {@code x} (schema order) into {@code slots}. */
    static void toSlots(double[] x, int schemaSize, float[] slots) {
        for (int j = 0; j < schemaSize; j++) {
            double v = x[j];
            float f = (float) v;
            slots[2 * j] = v != v ? Float.NEGATIVE_INFINITY : f;
            slots[2 * j + 1] = f;
        }
    }

    /** Sum of the trees plus base score, for a feature vector in schema order. Does not allocate. */
    public double evaluate(double[] x) {
        float[] xf = scratch.get();
        toSlots(x, schemaSize, xf);
        return walk(xf);
    }

    /**
     * {@code out[k] = evaluate(batch.features(k))} for every vector of the batch, bit for bit. Each tree is
     * walked on the first vector; only a tree whose path to that leaf split on a feature the vectors differ in
     * is walked again for the others. Does not allocate once the batch's buffers have grown.
     */
    public void evaluateAll(FeatureBatch batch, double[] out) {
        int count = batch.count();
        if (count == 1) {
            out[0] = walk(batch.slots[0]);
            return;
        }
        final int[] nodes = this.nodes;
        final float[] value = this.value;
        final int[] roots = this.roots;
        final int depth = maxDepth;
        final int trees = roots.length;
        final int differing = batch.differingFeatures;
        final float[] x0 = batch.slots[0];
        float[] leaves = batch.leaves(count * trees);
        int[] pending = batch.pending(trees);
        int np = 0;
        int t = 0;
        for (; t < trees; t += 4) {
            // The last group may be short: its extra walks repeat the group's last tree, harmlessly.
            int n0 = roots[t];
            int n1 = roots[Math.min(t + 1, trees - 1)];
            int n2 = roots[Math.min(t + 2, trees - 1)];
            int n3 = roots[Math.min(t + 3, trees - 1)];
            for (int d = 0; d < depth; d++) {
                n0 = nodes[2 * n0 + 1] + (x0[nodes[2 * n0]] < value[n0] ? 0 : 1);
                n1 = nodes[2 * n1 + 1] + (x0[nodes[2 * n1]] < value[n1] ? 0 : 1);
                n2 = nodes[2 * n2 + 1] + (x0[nodes[2 * n2]] < value[n2] ? 0 : 1);
                n3 = nodes[2 * n3 + 1] + (x0[nodes[2 * n3]] < value[n3] ? 0 : 1);
            }
            int g = Math.min(4, trees - t);
            for (int i = 0; i < g; i++) {
                int n = i == 0 ? n0 : i == 1 ? n1 : i == 2 ? n2 : n3;
                if ((pathFeatures[n] & differing) != 0) {
                    pending[np++] = t + i;
                }
                leaves[t + i] = value[n];
            }
        }
        for (int k = 1; k < count; k++) {
            System.arraycopy(leaves, 0, leaves, k * trees, trees);
        }
        rewalk(batch, pending, np, leaves);
        for (int k = 0; k < count; k++) {
            out[k] = sum(leaves, k * trees);
        }
    }

    /** Walks the {@code pending} trees on vectors 1.. of the batch, four walks at a time. */
    private void rewalk(FeatureBatch batch, int[] pending, int np, float[] leaves) {
        final int[] nodes = this.nodes;
        final float[] value = this.value;
        final int depth = maxDepth;
        final int trees = roots.length;
        final int count = batch.count();
        final int items = np * (count - 1);
        // (vector, tree) pairs, listed first: a division per walk would cost as much as the walk.
        int[] item = batch.items(2 * items);
        int m = 0;
        for (int i = 0; i < np; i++) {
            for (int k = 1; k < count; k++) {
                item[m++] = k;
                item[m++] = pending[i];
            }
        }
        for (int i = 0; i < items; i += 4) {
            // A short last group repeats its last item.
            int a = 2 * i;
            int b = 2 * Math.min(i + 1, items - 1);
            int c = 2 * Math.min(i + 2, items - 1);
            int e = 2 * Math.min(i + 3, items - 1);
            float[] x0 = batch.slots[item[a]];
            float[] x1 = batch.slots[item[b]];
            float[] x2 = batch.slots[item[c]];
            float[] x3 = batch.slots[item[e]];
            int n0 = roots[item[a + 1]];
            int n1 = roots[item[b + 1]];
            int n2 = roots[item[c + 1]];
            int n3 = roots[item[e + 1]];
            for (int d = 0; d < depth; d++) {
                n0 = nodes[2 * n0 + 1] + (x0[nodes[2 * n0]] < value[n0] ? 0 : 1);
                n1 = nodes[2 * n1 + 1] + (x1[nodes[2 * n1]] < value[n1] ? 0 : 1);
                n2 = nodes[2 * n2 + 1] + (x2[nodes[2 * n2]] < value[n2] ? 0 : 1);
                n3 = nodes[2 * n3 + 1] + (x3[nodes[2 * n3]] < value[n3] ? 0 : 1);
            }
            leaves[item[a] * trees + item[a + 1]] = value[n0];
            leaves[item[b] * trees + item[b + 1]] = value[n1];
            leaves[item[c] * trees + item[c + 1]] = value[n2];
            leaves[item[e] * trees + item[e + 1]] = value[n3];
        }
    }

    /** Every tree on one vector in float slots, summed as {@link #sum} does. */
    private double walk(float[] xf) {
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

    /**
     * Base score plus the leaves {@code leaves[from..from + trees)}, four at a time as {@link #walk} adds them.
     * (Earlier versions added tree by tree when a feature was absent; a double holds these sums of float leaves
     * exactly either way, which {@code CompiledTreesReferenceTest} checks bit for bit on the shipped models.)
     */
    private double sum(float[] leaves, int from) {
        int trees = roots.length;
        double sum = baseScore;
        int t = 0;
        for (; t + 4 <= trees; t += 4) {
            int i = from + t;
            sum += (double) leaves[i] + leaves[i + 1] + leaves[i + 2] + leaves[i + 3];
        }
        for (; t < trees; t++) {
            sum += leaves[from + t];
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
        int[] pathFeatures = new int[total];
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
                    nodes[2 * g] = 2 * schemaSize;
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
                float threshold = (float) cond.get(old).asDouble();
                if (!Float.isFinite(threshold)) {
                    // -inf in slot 2j routes NaN left only below a finite threshold; XGBoost splits between values.
                    throw new IllegalArgumentException("tree " + (ti - 1) + " splits at " + threshold
                            + ": only finite split thresholds can be compiled");
                }
                boolean defaultLeft = dl.get(old).asInt() != 0;
                nodes[2 * g] = 2 * s + (defaultLeft ? 0 : 1);
                nodes[2 * g + 1] = offset + newIndex[li];
                value[g] = threshold;
                // Breadth-first: a node is laid out after its parent, which has set its path already.
                pathFeatures[offset + newIndex[li]] = pathFeatures[g] | featureBit(s);
                pathFeatures[offset + newIndex[li] + 1] = pathFeatures[g] | featureBit(s);
                gain[s] += loss.path(old).asDouble(0);
                splits[s]++;
            }
            offset += n;
        }
        return new CompiledTrees(baseScore, roots, nodes, value, pathFeatures, maxDepth, schemaSize, gain, splits);
    }
}
