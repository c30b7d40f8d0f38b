package io.lmadvisor.model.learn;

import java.util.List;
import libsvm.svm_model;
import libsvm.svm_node;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.libsvm.LibSVMRegressionModel;

/**
 * One bagged ε-SVR, evaluated in plain Java from its support vectors (Tribuo's per-row path costs
 * hundreds of microseconds, mostly object churn). Works on standardized features.
 */
public final class SvrEstimator {
    private final int[] schemaFeatures;
    private final LibSVMRegressionModel tribuo;
    /** Schema indices of the kernel's dimensions (features Tribuo actually saw). */
    private final int[] cols;
    /** Support vectors, row-major nSV × cols.length. */
    private final double[] sv;

    private final double[] coef;
    private final double rho;
    private final double gamma;

    /**
     * @param schemaFeatures schema indices the estimator was trained on, in the order of {@code names}
     * @param names          the Tribuo feature names used for those indices
     */
    public SvrEstimator(int[] schemaFeatures, List<String> names, LibSVMRegressionModel tribuo) {
        this.schemaFeatures = schemaFeatures.clone();
        this.tribuo = tribuo;
        List<svm_model> inner = tribuo.getInnerModels();
        if (inner.size() != 1) {
            throw new IllegalArgumentException("expected a single-output SVR");
        }
        svm_model m = inner.get(0);
        ImmutableFeatureMap fmap = tribuo.getFeatureIDMap();
        int[] idToCol = new int[Math.max(fmap.size(), 1)];
        java.util.Arrays.fill(idToCol, -1);
        int k = 0;
        int[] colsTmp = new int[schemaFeatures.length];
        for (int j = 0; j < schemaFeatures.length; j++) {
            int id = fmap.getID(names.get(j));
            if (id >= 0) {
                idToCol[id] = k;
                colsTmp[k++] = schemaFeatures[j];
            }
        }
        this.cols = java.util.Arrays.copyOf(colsTmp, k);
        this.sv = new double[m.l * k];
        this.coef = new double[m.l];
        for (int i = 0; i < m.l; i++) {
            coef[i] = m.sv_coef[0][i];
            for (svm_node node : m.SV[i]) {
                int c = node.index < idToCol.length ? idToCol[node.index] : -1;
                if (c >= 0) {
                    sv[i * k + c] = node.value;
                }
            }
        }
        this.rho = m.rho[0];
        this.gamma = m.param.gamma;
    }

    /** Decision value for standardized features in schema order (NaN already replaced). */
    public double evaluate(double[] xs) {
        final int k = cols.length;
        final double[] sv = this.sv;
        double sum = 0;
        for (int i = 0, base = 0; i < coef.length; i++, base += k) {
            double d2 = 0;
            for (int c = 0; c < k; c++) {
                double d = xs[cols[c]] - sv[base + c];
                d2 += d * d;
            }
            sum += coef[i] * Math.exp(-gamma * d2);
        }
        return sum - rho;
    }

    public int[] schemaFeatures() {
        return schemaFeatures.clone();
    }

    public LibSVMRegressionModel tribuoModel() {
        return tribuo;
    }

    public int supportVectors() {
        return coef.length;
    }

    /** Tribuo's own prediction for the same standardized features (checks only). */
    double evaluateWithTribuo(double[] xs, List<String> names) {
        double[] row = new double[schemaFeatures.length];
        for (int j = 0; j < row.length; j++) {
            row[j] = xs[schemaFeatures[j]];
        }
        org.tribuo.Prediction<Regressor> p = tribuo.predict(TribuoData.example(names.toArray(new String[0]), row));
        return p.getOutput().getValues()[0];
    }
}
