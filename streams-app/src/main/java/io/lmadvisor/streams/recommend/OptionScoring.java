package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.score.Scorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The model's figures for a VM: every algorithm at a destination and bandwidth, as scored options. */
final class OptionScoring implements Predictor {
    /** Key prefix of a cell's hold-out gMRE in a model file's validation figures. */
    static final String VALIDATION_GMRE_PREFIX = "holdout.gMRE.";

    private final Scorer scorer;
    private final String modelVersion;
    private final Map<String, Double> validation;

    OptionScoring(Scorer scorer, String modelVersion, Map<String, Double> validation) {
        this.scorer = scorer;
        this.modelVersion = modelVersion;
        this.validation = Map.copyOf(validation);
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public double validationGmre(Algorithm algorithm, Target target) {
        Double v = validation.get(VALIDATION_GMRE_PREFIX + algorithm.shortName() + "." + target.name());
        return v == null ? Double.NaN : v;
    }

    @Override
    public double[] predict(VmProfile profile, HostState destination, double bandwidthMBps, Algorithm algorithm) {
        double[] out = new double[Scorer.OUTPUTS];
        scorer.scoreAll(ProfileFeatures.raw(ProfileFeatures.view(profile), destination, bandwidthMBps), out);
        double[] figures = new double[Target.values().length];
        for (Target t : Target.values()) {
            figures[t.ordinal()] = figure(out, algorithm, t);
        }
        return figures;
    }

    /**
     * Every algorithm's option at one destination and bandwidth, in {@link Algorithm} order.
     *
     * @param destination null when no host has room: the options are scored against {@code scoredAs} only to
     *                    name the closest
     * @param fullLink    whether the bandwidth is the link's whole available one
     */
    List<ScoredOption> score(
            ProfileView vm, HostState destination, HostState scoredAs, double bandwidthMBps, boolean fullLink) {
        double[] raw = ProfileFeatures.raw(vm, scoredAs, bandwidthMBps);
        double[] out = new double[Scorer.OUTPUTS];
        scorer.scoreAll(raw, out);
        List<ScoredOption> options = new ArrayList<>(Algorithm.values().length);
        for (Algorithm a : Algorithm.values()) {
            ScoredOption o = new ScoredOption(destination, a, bandwidthMBps, fullLink);
            for (Target t : Target.values()) {
                o.predicted[t.ordinal()] = figure(out, a, t);
            }
            options.add(o);
        }
        return options;
    }

    /** One scored figure; a slowdown below zero (a regression's overshoot) is no slowdown. */
    private static double figure(double[] out, Algorithm a, Target t) {
        double v = out[Scorer.index(a, t)];
        return t == Target.PERF && v < 0 ? 0.0 : v;
    }
}
