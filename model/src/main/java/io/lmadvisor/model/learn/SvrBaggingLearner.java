package io.lmadvisor.model.learn;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.tribuo.MutableDataset;
import org.tribuo.common.libsvm.KernelType;
import org.tribuo.common.libsvm.SVMParameters;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.libsvm.LibSVMRegressionModel;
import org.tribuo.regression.libsvm.LibSVMRegressionTrainer;
import org.tribuo.regression.libsvm.SVMRegressionType;

/**
 * {@code svr-bagging}, the SoCC'17 reference: per (algorithm, target) a bag of ε-SVRs (RBF, C = 10),
 * each on 90 % of the rows drawn without replacement and a random 80 % of the features, on
 * standardized x and y (y in log space). Estimators train in parallel; each has its own seeded
 * random stream, so results do not depend on the thread count.
 */
public final class SvrBaggingLearner implements Learner {
    public static final String NAME = "svr-bagging";
    static final int MIN_ROWS = 10;

    static {
        // libsvm prints every optimisation to stdout; progress goes through Progress instead.
        libsvm.svm.svm_set_print_string_function(s -> {});
    }

    private final SvrParams params;
    private final int threads;

    public SvrBaggingLearner() {
        this(SvrParams.defaults());
    }

    public SvrBaggingLearner(SvrParams params) {
        this(params, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public SvrBaggingLearner(SvrParams params, int threads) {
        if (params.estimators() < 1) {
            throw new IllegalArgumentException("estimators must be >= 1");
        }
        this.params = params;
        this.threads = threads;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SvrBaggingModel train(List<MigrationRecord> records, FeatureSchema schema, long seed, Progress progress) {
        List<String> names = schema.names();
        List<TrainingSet> cells = TrainingSet.cells(records, schema, MIN_ROWS);
        SvrBag[] bags = new SvrBag[CellIndex.COUNT];
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "svr-bagging");
            t.setDaemon(true);
            return t;
        });
        try {
            for (TrainingSet cell : cells) {
                long t0 = System.nanoTime();
                int c = CellIndex.of(cell.algorithm, cell.target);
                int d = schema.size();
                double[] xMean = new double[d];
                double[] xStd = new double[d];
                moments(cell.x, xMean, xStd);
                double[] yMoments = moments(cell.y);
                double[][] xs = new double[cell.rows()][d];
                double[] ys = new double[cell.rows()];
                for (int i = 0; i < xs.length; i++) {
                    for (int j = 0; j < d; j++) {
                        double v = (cell.x[i][j] - xMean[j]) / xStd[j];
                        xs[i][j] = v == v ? v : 0.0;
                    }
                    ys[i] = (cell.y[i] - yMoments[0]) / yMoments[1];
                }
                AtomicInteger done = new AtomicInteger();
                List<Future<SvrEstimator>> futures = new ArrayList<>();
                for (int e = 0; e < params.estimators(); e++) {
                    long estSeed = seed * 1_000_003L + c * 1_009L + e;
                    futures.add(pool.submit(() -> {
                        SvrEstimator est = trainOne(cell, xs, ys, names, estSeed);
                        int n = done.incrementAndGet();
                        if (n % 16 == 0 && n < params.estimators()) {
                            progress.report(String.format(
                                    Locale.ROOT,
                                    "svr-bagging %s/%s: %d/%d estimators",
                                    cell.algorithm.shortName(),
                                    cell.target,
                                    n,
                                    params.estimators()));
                        }
                        return est;
                    }));
                }
                List<SvrEstimator> estimators = new ArrayList<>();
                for (Future<SvrEstimator> f : futures) {
                    estimators.add(f.get());
                }
                bags[c] = new SvrBag(xMean, xStd, yMoments[0], yMoments[1], estimators);
                progress.report(String.format(
                        Locale.ROOT,
                        "svr-bagging %s/%s: %d rows, %d estimators, %.1f s",
                        cell.algorithm.shortName(),
                        cell.target,
                        cell.rows(),
                        estimators.size(),
                        (System.nanoTime() - t0) / 1e9));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("SVR training failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new SvrBaggingModel(schema, params, bags);
    }

    private SvrEstimator trainOne(TrainingSet cell, double[][] xs, double[] ys, List<String> names, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = names.size();
        int nFeatures = Math.max(1, (int) Math.round(params.featureFraction() * d));
        int[] features = firstOfShuffle(d, nFeatures, rnd);
        java.util.Arrays.sort(features);
        int nRows = Math.max(1, (int) Math.round(params.sampleFraction() * xs.length));
        int[] rows = firstOfShuffle(xs.length, nRows, rnd);
        String[] subNames = new String[nFeatures];
        for (int j = 0; j < nFeatures; j++) {
            subNames[j] = names.get(features[j]);
        }
        double[][] x = new double[nRows][nFeatures];
        double[] y = new double[nRows];
        for (int i = 0; i < nRows; i++) {
            for (int j = 0; j < nFeatures; j++) {
                x[i][j] = xs[rows[i]][features[j]];
            }
            y[i] = ys[rows[i]];
        }
        MutableDataset<Regressor> ds =
                TribuoData.dataset("lm-advisor " + cell.algorithm + "/" + cell.target + " bag", subNames, x, y);
        SVMParameters<Regressor> p =
                new SVMParameters<>(new SVMRegressionType(SVMRegressionType.SVMMode.EPSILON_SVR), KernelType.RBF);
        p.setCost(params.cost());
        p.setEpsilon(params.epsilon());
        p.setGamma(params.gamma() > 0 ? params.gamma() : 1.0 / nFeatures);
        LibSVMRegressionTrainer trainer = new LibSVMRegressionTrainer(p, false, seed);
        LibSVMRegressionModel model = (LibSVMRegressionModel) trainer.train(ds);
        return new SvrEstimator(features, List.of(subNames), model);
    }

    /** A uniform k-subset of 0..n-1 (partial Fisher–Yates). */
    private static int[] firstOfShuffle(int n, int k, SplittableRandom rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return java.util.Arrays.copyOf(a, k);
    }

    /** Column means and standard deviations over finite values; a constant column gets std 1. */
    static void moments(double[][] x, double[] mean, double[] std) {
        int d = mean.length;
        for (int j = 0; j < d; j++) {
            double s = 0;
            double s2 = 0;
            int n = 0;
            for (double[] row : x) {
                double v = row[j];
                if (Double.isFinite(v)) {
                    s += v;
                    s2 += v * v;
                    n++;
                }
            }
            double m = n == 0 ? 0 : s / n;
            double var = n == 0 ? 0 : s2 / n - m * m;
            mean[j] = m;
            std[j] = var > 1e-24 ? Math.sqrt(var) : 1.0;
        }
    }

    static double[] moments(double[] y) {
        double s = 0;
        double s2 = 0;
        for (double v : y) {
            s += v;
            s2 += v * v;
        }
        double m = s / y.length;
        double var = s2 / y.length - m * m;
        return new double[] {m, var > 1e-24 ? Math.sqrt(var) : 1.0};
    }
}
