package io.lmadvisor.model;

import io.lmadvisor.model.features.RawFeature;
import java.util.Arrays;

/**
 * One migration: its inputs as a raw feature vector (CSAP units, NaN = absent) and its measured
 * outcomes per {@link Target} (NaN = not recorded).
 *
 * @param id         the row's identity in its source (Migration ID, or the line number)
 * @param lineNumber 1-based line in the source file, 0 when not from a file
 * @param workload   workload type, or null when unknown
 */
public record MigrationRecord(
        String id, long lineNumber, Algorithm algorithm, Workload workload, double[] raw, double[] targets) {
    public MigrationRecord {
        if (raw.length != RawFeature.COUNT) {
            throw new IllegalArgumentException(
                    "raw vector has " + raw.length + " entries, expected " + RawFeature.COUNT);
        }
        if (targets.length != Target.values().length) {
            throw new IllegalArgumentException("targets vector has " + targets.length + " entries");
        }
    }

    public double raw(RawFeature f) {
        return raw[f.ordinal()];
    }

    public double target(Target t) {
        return targets[t.ordinal()];
    }

    public boolean has(Target t) {
        return !Double.isNaN(targets[t.ordinal()]);
    }

    /** A target vector with every outcome absent. */
    public static double[] emptyTargets() {
        double[] t = new double[Target.values().length];
        Arrays.fill(t, Double.NaN);
        return t;
    }
}
