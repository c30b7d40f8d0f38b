package io.lmadvisor.model.learn;

/**
 * Feature vectors of one VM profile at several destinations or bandwidths, prepared once for every cell's
 * {@link CompiledTrees}: each vector in the trees' float layout, and which features
 * differ between the vectors (the destination's, usually). A tree whose path on the first vector reads none of
 * those ends in the same leaf for all of them, so it is walked once. Scratch for one thread: reuse it, so that
 * scoring does not allocate.
 */
public final class FeatureBatch {
    private final int schemaSize;
    private double[][] features = new double[0][];
    private int count;
    float[][] slots = new float[0][];
    /** The features in which some vector differs from the first, as {@link CompiledTrees#featureBit}s. */
    int differingFeatures;

    private float[] leaves = new float[0];
    private int[] pending = new int[0];
    private int[] items = new int[0];
    private double[][] work = new double[2][0];

    public FeatureBatch(int schemaSize) {
        this.schemaSize = schemaSize;
    }

    /** Takes {@code features[0..count)} (schema order, not copied: keep them unchanged until the batch is used). */
    public void set(double[][] features, int count) {
        if (count < 1 || count > features.length) {
            throw new IllegalArgumentException(
                    "a feature batch needs 1.." + features.length + " vectors, got " + count);
        }
        if (slots.length < count) {
            slots = new float[count][];
            for (int k = 0; k < count; k++) {
                slots[k] = CompiledTrees.newSlots(schemaSize);
            }
            this.features = new double[count][];
        }
        this.count = count;
        for (int k = 0; k < count; k++) {
            this.features[k] = features[k];
            CompiledTrees.toSlots(features[k], schemaSize, slots[k]);
        }
        // Compared as the trees see them, floats, so that a difference below float precision is no difference.
        float[] first = slots[0];
        differingFeatures = 0;
        for (int j = 0; j < schemaSize; j++) {
            int bits = Float.floatToIntBits(first[2 * j + 1]);
            for (int k = 1; k < count; k++) {
                if (Float.floatToIntBits(slots[k][2 * j + 1]) != bits) {
                    differingFeatures |= CompiledTrees.featureBit(j);
                    break;
                }
            }
        }
    }

    public int count() {
        return count;
    }

    /** Vector {@code k} in schema order. */
    public double[] features(int k) {
        return features[k];
    }

    /** A leaf buffer of at least {@code n} floats, reused between calls. */
    float[] leaves(int n) {
        if (leaves.length < n) {
            leaves = new float[Math.max(n, 2 * leaves.length)];
        }
        return leaves;
    }

    /** Buffers of at least {@code n} ints for {@link CompiledTrees#evaluateAll}, reused between calls. */
    int[] pending(int n) {
        if (pending.length < n) {
            pending = new int[Math.max(n, 2 * pending.length)];
        }
        return pending;
    }

    int[] items(int n) {
        if (items.length < n) {
            items = new int[Math.max(n, 2 * items.length)];
        }
        return items;
    }

    /** Work vector {@code i} (0 or 1) of at least {@link #count} doubles, for models that combine several outputs. */
    double[] work(int i) {
        if (work[i].length < count) {
            work[i] = new double[Math.max(count, 2 * work[i].length)];
        }
        return work[i];
    }
}
