package io.lmadvisor.model.learn;

import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.Pages;

/**
 * The analytic pre-copy estimate in model space, used as the boosting start point: the trees learn a
 * log correction factor to the physics instead of re-deriving size/bandwidth from piecewise
 * constants, which on csap-subset roughly halves the TT and TD error of pre-copy-like algorithms.
 * A row whose analytic feature is absent falls back to the cell's mean offset.
 */
public final class AnalyticOffset {

    private final Target target;
    private final int featureIndex;
    private final double scale;
    private final double fallback;

    private AnalyticOffset(Target target, int featureIndex, double scale, double fallback) {
        this.target = target;
        this.featureIndex = featureIndex;
        this.scale = scale;
        this.fallback = fallback;
    }

    /** The schema feature an offset for {@code target} would read, or null when there is none. */
    public static Feature sourceFeature(Target target) {
        switch (target) {
            case TT:
                return Feature.ANALYTIC_TT_MS;
            case DT:
                return Feature.ANALYTIC_DT_MS;
            case TD:
                return Feature.ANALYTIC_TD_MB;
            default:
                return null;
        }
    }

    /** Whether the schema lets {@code target} use an analytic offset. */
    public static boolean available(FeatureSchema schema, Target target) {
        Feature f = sourceFeature(target);
        return f != null && schema.features().contains(f);
    }

    /** An offset with the given fallback; call {@link #available} first. */
    public static AnalyticOffset of(FeatureSchema schema, Target target, double fallback) {
        Feature f = sourceFeature(target);
        int idx = schema.features().indexOf(f);
        if (idx < 0) {
            throw new IllegalArgumentException("schema has no " + f.displayName());
        }
        return new AnalyticOffset(target, idx, f == Feature.ANALYTIC_TD_MB ? Pages.BYTES_PER_MB : 1.0, fallback);
    }

    /** Mean offset over the rows whose analytic feature is present: the fallback for absent ones. */
    public static double meanOffset(FeatureSchema schema, Target target, double[][] x) {
        AnalyticOffset probe = of(schema, target, 0.0);
        double s = 0;
        int n = 0;
        for (double[] row : x) {
            double v = probe.raw(row);
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? 0.0 : s / n;
    }

    private double raw(double[] x) {
        double v = x[featureIndex];
        return Double.isFinite(v) ? TargetSpace.toModel(target, v * scale) : Double.NaN;
    }

    /** Model-space offset for a feature vector. Does not allocate. */
    public double apply(double[] x) {
        double v = raw(x);
        return v == v ? v : fallback;
    }

    public double fallback() {
        return fallback;
    }
}
