package io.lmadvisor.model.eval;

import java.util.Arrays;

/**
 * Error measures as the CSAP sample code defines them. gMRE and gMAE are geometric means, which
 * cannot take a zero, so exact hits are left out of them (they stay in the median and p90). Rows
 * whose true value is 0 have no relative error and are left out of gMRE, medianRE and p90RE, but
 * not of gMAE. A NaN prediction makes every measure NaN rather than being dropped quietly.
 */
public final class ErrorMetrics {
    private ErrorMetrics() {}

    /** |1 − p/a| for every row with a ≠ 0, in row order. */
    public static double[] relativeErrors(double[] predicted, double[] actual) {
        checkLengths(predicted, actual);
        double[] out = new double[actual.length];
        int n = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != 0) {
                out[n++] = Math.abs(1.0 - predicted[i] / actual[i]);
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** |p − a| for every row. */
    public static double[] absoluteErrors(double[] predicted, double[] actual) {
        checkLengths(predicted, actual);
        double[] out = new double[actual.length];
        for (int i = 0; i < actual.length; i++) {
            out[i] = Math.abs(predicted[i] - actual[i]);
        }
        return out;
    }

    /** Geometric mean of the non-zero relative errors; NaN when there are none. */
    public static double gMRE(double[] predicted, double[] actual) {
        return anyNaN(predicted) ? Double.NaN : geometricMeanOfNonZero(relativeErrors(predicted, actual));
    }

    /** Geometric mean of the non-zero absolute errors, in the target's unit; NaN when there are none. */
    public static double gMAE(double[] predicted, double[] actual) {
        return anyNaN(predicted) ? Double.NaN : geometricMeanOfNonZero(absoluteErrors(predicted, actual));
    }

    public static double medianRE(double[] predicted, double[] actual) {
        return relativeErrorPercentile(predicted, actual, 0.5);
    }

    public static double p90RE(double[] predicted, double[] actual) {
        return relativeErrorPercentile(predicted, actual, 0.9);
    }

    /** Percentile of the relative errors, zeros included, linearly interpolated. */
    public static double relativeErrorPercentile(double[] predicted, double[] actual, double q) {
        if (anyNaN(predicted)) {
            return Double.NaN;
        }
        double[] re = relativeErrors(predicted, actual);
        Arrays.sort(re);
        return percentile(re, q);
    }

    /**
     * Percentile of sorted values with linear interpolation between closest ranks (numpy's default):
     * position q·(n−1). NaN for an empty array.
     */
    public static double percentile(double[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], got " + q);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** exp(mean(ln v)) over v ≠ 0; NaN when every value is 0 or there are none. */
    public static double geometricMeanOfNonZero(double[] values) {
        double sumLog = 0;
        int n = 0;
        for (double v : values) {
            if (v != 0) {
                sumLog += Math.log(Math.abs(v));
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(sumLog / n);
    }

    /**
     * A copy of {@code predicted} with negative values replaced by the smallest true value of the same
     * evaluation set: a negative time cannot happen, and the sample code scores it as the shortest seen.
     */
    public static double[] replaceNegativesWithMinActual(double[] predicted, double[] actual) {
        checkLengths(predicted, actual);
        double min = Double.POSITIVE_INFINITY;
        for (double a : actual) {
            min = Math.min(min, a);
        }
        double[] out = predicted.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                out[i] = min;
            }
        }
        return out;
    }

    private static boolean anyNaN(double[] values) {
        for (double v : values) {
            if (Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    private static void checkLengths(double[] predicted, double[] actual) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + actual.length + " true values");
        }
    }
}
