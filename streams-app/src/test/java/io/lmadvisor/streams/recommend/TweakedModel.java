package io.lmadvisor.streams.recommend;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.MigrationModel;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** {@link HandModel} with chosen cells replaced or missing, to test how the engine treats odd models. */
public final class TweakedModel implements MigrationModel {
    private final HandModel hand = new HandModel();
    private final Set<Algorithm> withoutPerf = EnumSet.noneOf(Algorithm.class);
    private final Map<Algorithm, Double> perf = new EnumMap<>(Algorithm.class);
    private final Map<Algorithm, Double> totalTimeMs = new EnumMap<>(Algorithm.class);

    /** The model does not predict PERF for {@code a}. */
    public TweakedModel withoutPerf(Algorithm a) {
        withoutPerf.add(a);
        return this;
    }

    public TweakedModel perf(Algorithm a, double value) {
        perf.put(a, value);
        return this;
    }

    public TweakedModel totalTimeMs(Algorithm a, double value) {
        totalTimeMs.put(a, value);
        return this;
    }

    @Override
    public FeatureSchema schema() {
        return hand.schema();
    }

    @Override
    public String learnerName() {
        return "tweaked";
    }

    @Override
    public boolean supports(Algorithm a, Target t) {
        return hand.supports(a, t) && !(t == Target.PERF && withoutPerf.contains(a));
    }

    @Override
    public double predict(Algorithm a, Target t, double[] f) {
        if (t == Target.PERF && perf.containsKey(a)) {
            return perf.get(a);
        }
        if (t == Target.TT && totalTimeMs.containsKey(a)) {
            return totalTimeMs.get(a);
        }
        return hand.predict(a, t, f);
    }
}
