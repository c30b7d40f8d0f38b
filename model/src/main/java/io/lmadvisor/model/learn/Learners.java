package io.lmadvisor.model.learn;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code --learner} registry. */
public final class Learners {
    public static final String DEFAULT = GradientBoostedLearner.NAME;

    private Learners() {}

    public static List<String> names() {
        return List.of(GradientBoostedLearner.NAME, SvrBaggingLearner.NAME, AnalyticLearner.NAME);
    }

    /**
     * A learner with some hyper-parameters overridden by name (as {@code GbtParams.toMap()} names them).
     * Only gbt takes overrides; an unknown name is an error, never ignored.
     */
    public static Learner byName(String name, Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return byName(name);
        }
        if (!GradientBoostedLearner.NAME.equals(name.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("hyper-parameter overrides are supported for gbt only, not " + name);
        }
        Map<String, String> merged = new HashMap<>(GbtParams.defaults().toMap());
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!merged.containsKey(e.getKey())) {
                throw new IllegalArgumentException(
                        "unknown gbt parameter '" + e.getKey() + "' (known: " + merged.keySet() + ")");
            }
            merged.put(e.getKey(), e.getValue());
        }
        return new GradientBoostedLearner(GbtParams.fromMap(merged));
    }

    /** A learner with its default hyper-parameters. */
    public static Learner byName(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case GradientBoostedLearner.NAME:
                return new GradientBoostedLearner();
            case SvrBaggingLearner.NAME:
                return new SvrBaggingLearner();
            case AnalyticLearner.NAME:
                return new AnalyticLearner();
            default:
                throw new IllegalArgumentException("unknown learner '" + name + "' (known: " + names() + ")");
        }
    }
}
