package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;

/** Flat index of an (algorithm, target) cell: {@code algorithm.ordinal() * TARGETS + target.ordinal()}. */
public final class CellIndex {
    public static final int TARGETS = Target.values().length;
    public static final int ALGORITHMS = Algorithm.values().length;
    public static final int COUNT = TARGETS * ALGORITHMS;

    private static final Algorithm[] ALGS = Algorithm.values();
    private static final Target[] TGTS = Target.values();

    private CellIndex() {}

    public static int of(Algorithm a, Target t) {
        return a.ordinal() * TARGETS + t.ordinal();
    }

    public static Algorithm algorithm(int cell) {
        return ALGS[cell / TARGETS];
    }

    public static Target target(int cell) {
        return TGTS[cell % TARGETS];
    }
}
