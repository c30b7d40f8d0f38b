package io.lmadvisor.model.learn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyper-parameters of {@code svr-bagging}, the SoCC'17 reference: ε-SVR with an RBF kernel, C = 10,
 * γ = 1 / (features seen by the estimator), bagged over row and feature subsets.
 *
 * @param estimators      bagged SVRs per (algorithm, target); the paper's setting is 64
 * @param sampleFraction  share of rows each estimator sees, drawn WITHOUT replacement
 * @param featureFraction share of schema features each estimator sees (at least one)
 * @param gamma           RBF γ; 0 means 1 / (features of the estimator)
 */
public record SvrParams(
        int estimators, double sampleFraction, double featureFraction, double cost, double epsilon, double gamma) {
    public static SvrParams defaults() {
        return new SvrParams(64, 0.9, 0.8, 10.0, 0.1, 0.0);
    }

    public SvrParams withEstimators(int n) {
        return new SvrParams(n, sampleFraction, featureFraction, cost, epsilon, gamma);
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("estimators", Integer.toString(estimators));
        m.put("sample_fraction", Double.toString(sampleFraction));
        m.put("sampling", "without-replacement");
        m.put("feature_fraction", Double.toString(featureFraction));
        m.put("C", Double.toString(cost));
        m.put("epsilon", Double.toString(epsilon));
        m.put("gamma", gamma == 0 ? "1/features" : Double.toString(gamma));
        m.put("kernel", "RBF");
        m.put("svm_type", "EPSILON_SVR");
        m.put("scaling", "x and y standardized per cell");
        return m;
    }

    public static SvrParams fromMap(Map<String, String> m) {
        SvrParams d = defaults();
        String g = m.getOrDefault("gamma", "1/features");
        return new SvrParams(
                Integer.parseInt(m.getOrDefault("estimators", Integer.toString(d.estimators))),
                Double.parseDouble(m.getOrDefault("sample_fraction", Double.toString(d.sampleFraction))),
                Double.parseDouble(m.getOrDefault("feature_fraction", Double.toString(d.featureFraction))),
                Double.parseDouble(m.getOrDefault("C", Double.toString(d.cost))),
                Double.parseDouble(m.getOrDefault("epsilon", Double.toString(d.epsilon))),
                g.equals("1/features") ? 0.0 : Double.parseDouble(g));
    }
}
