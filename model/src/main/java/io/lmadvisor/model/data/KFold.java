package io.lmadvisor.model.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Seeded k-fold partitioning for cross-validation: a shuffle with a fixed generator (SplitMix64, so
 * the folds are identical on every JVM), then fold = position mod k, so fold sizes differ by at most one.
 */
public final class KFold {
    public static final int DEFAULT_FOLDS = 10;

    private KFold() {}

    /** One fold: {@code test} is this fold's share, {@code train} everything else, both in input order. */
    public record Fold<T>(int index, int folds, List<T> train, List<T> test) {}

    /** Fold index (0..folds-1) of each of {@code n} items. */
    public static int[] assignments(int n, int folds, long seed) {
        if (folds < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got " + folds);
        }
        if (n < folds) {
            throw new IllegalArgumentException("cannot make " + folds + " folds from " + n + " items");
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        long state = seed;
        for (int i = n - 1; i > 0; i--) {
            state += 0x9E3779B97F4A7C15L;
            int j = (int) Math.floorMod(mix(state), (long) (i + 1));
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        int[] fold = new int[n];
        for (int pos = 0; pos < n; pos++) {
            fold[perm[pos]] = pos % folds;
        }
        return fold;
    }

    public static <T> List<Fold<T>> split(List<T> items, int folds, long seed) {
        int[] assign = assignments(items.size(), folds, seed);
        List<Fold<T>> out = new ArrayList<>(folds);
        for (int k = 0; k < folds; k++) {
            List<T> train = new ArrayList<>();
            List<T> test = new ArrayList<>();
            for (int i = 0; i < assign.length; i++) {
                (assign[i] == k ? test : train).add(items.get(i));
            }
            out.add(new Fold<>(k, folds, List.copyOf(train), List.copyOf(test)));
        }
        return out;
    }

    /** SplitMix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
