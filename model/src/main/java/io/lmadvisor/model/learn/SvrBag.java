package io.lmadvisor.model.learn;

import java.util.List;

/** The bagged SVRs of one cell with its standardization; prediction is the mean of the estimators. */
public final class SvrBag {
    private final double[] xMean;
    private final double[] xStd;
    private final double yMean;
    private final double yStd;
    private final SvrEstimator[] estimators;
    private final ThreadLocal<double[]> scratch;

    public SvrBag(double[] xMean, double[] xStd, double yMean, double yStd, List<SvrEstimator> estimators) {
        this.xMean = xMean.clone();
        this.xStd = xStd.clone();
        this.yMean = yMean;
        this.yStd = yStd;
        this.estimators = estimators.toArray(new SvrEstimator[0]);
        int n = xMean.length;
        this.scratch = ThreadLocal.withInitial(() -> new double[n]);
    }

    /** Standardizes {@code x} into {@code xs}; absent features become the mean (0). */
    void standardize(double[] x, double[] xs) {
        for (int j = 0; j < xs.length; j++) {
            double v = (x[j] - xMean[j]) / xStd[j];
            xs[j] = v == v ? v : 0.0;
        }
    }

    /** Model-space prediction; allocation-free after the calling thread's first call. */
    public double evaluate(double[] x) {
        double[] xs = scratch.get();
        standardize(x, xs);
        double sum = 0;
        for (SvrEstimator e : estimators) {
            sum += e.evaluate(xs);
        }
        return sum / estimators.length * yStd + yMean;
    }

    public double[] xMean() {
        return xMean.clone();
    }

    public double[] xStd() {
        return xStd.clone();
    }

    public double yMean() {
        return yMean;
    }

    public double yStd() {
        return yStd;
    }

    public List<SvrEstimator> estimators() {
        return List.of(estimators);
    }
}
