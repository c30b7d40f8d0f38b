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
    /** Per float slot: 1 where the vectors differ, else 0 (an int so that a tree walk can OR it in). */
    final int[] differing;

    private float[] leaves = new float[0];
    private int[] ints = new int[0];
    private double[][] work = new double[2][0];

    public FeatureBatch(int schemaSize) {
        this.schemaSize = schemaSize;
        this.differing = new int[CompiledTrees.slotCount(schemaSize)];
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
        for (int j = 0; j < schemaSize; j++) {
            int bits = Float.floatToIntBits(first[2 * j + 1]);
            int d = 0;
            for (int k = 1; k < count && d == 0; k++) {
                d = Float.floatToIntBits(slots[k][2 * j + 1]) == bits ? 0 : 1;
            }
            differing[2 * j] = d;
            differing[2 * j + 1] = d;
        }
    }

    public int count() {
        return count;
    }

    /** Vector {@code k} in schema order. */
    public double[] features(int k) {
        return features[k];
    }

    /** Whether any vector differs from the first in this schema feature. */
    public boolean differs(int feature) {
        return differing[2 * feature + 1] != 0;
    }

    /** A leaf buffer of at least {@code n} floats, reused between calls. */
    float[] leaves(int n) {
        if (leaves.length < n) {
            leaves = new float[Math.max(n, 2 * leaves.length)];
        }
        return leaves;
    }

    /** An int buffer of at least {@code n}, reused between calls. */
    int[] ints(int n) {
        if (ints.length < n) {
            ints = new int[Math.max(n, 2 * ints.length)];
        }
        return ints;
    }

    /** Work vector {@code i} (0 or 1) of at least {@link #count} doubles, for models that combine several outputs. */
    double[] work(int i) {
        if (work[i].length < count) {
            work[i] = new double[Math.max(count, 2 * work[i].length)];
        }
        return work[i];
    }
}
