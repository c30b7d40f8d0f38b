package io.lmadvisor.model.learn;

import java.util.List;
import java.util.Locale;

/** The {@code --learner} registry. */
public final class Learners {
    public static final String DEFAULT = GradientBoostedLearner.NAME;

    private Learners() {
    }

    public static List<String> names() {
        return List.of(GradientBoostedLearner.NAME, SvrBaggingLearner.NAME, AnalyticLearner.NAME);
    }

    /** A learner with its default hyper-parameters. */
    public static Learner byName(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case GradientBoostedLearner.NAME: return new GradientBoostedLearner();
            case SvrBaggingLearner.NAME: return new SvrBaggingLearner();
            case AnalyticLearner.NAME: return new AnalyticLearner();
            default: throw new IllegalArgumentException("unknown learner '" + name + "' (known: " + names() + ")");
        }
    }
}
