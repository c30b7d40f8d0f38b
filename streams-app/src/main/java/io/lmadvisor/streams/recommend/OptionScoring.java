package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.profile.ProfileViews;
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
        scorer.scoreAll(ProfileFeatures.raw(ProfileViews.of(profile), destination, bandwidthMBps), out);
        double[] figures = new double[Target.values().length];
        for (Target t : Target.values()) {
            figures[t.ordinal()] = figure(out, algorithm, t);
        }
        return figures;
    }

    /**
     * Every algorithm's option at each destination (or, with no room anywhere, the source's link alone) and each
     * fraction of its link, scored in one batch: the VM's features are shared, each destination patches its own.
     * In destination, then ladder, then {@link Algorithm} order.
     */
    List<ScoredOption> score(ProfileView vm, DestinationRanking ranking, double[] ladder) {
        List<HostState> scored =
                ranking.noRoom() ? List.of(HostState.unknown("", ranking.sourceLinkMBps())) : ranking.candidates();
        int count = scored.size() * ladder.length;
        double[] vmRaw = RawFeature.emptyVector();
        vm.fillVm(vmRaw);
        double[][] raws = new double[count][];
        double[][] out = new double[count][Scorer.OUTPUTS];
        int k = 0;
        for (HostState dst : scored) {
            double link = ranking.linkTo(dst);
            for (double fraction : ladder) {
                raws[k] = vmRaw.clone();
                ProfileFeatures.fillDestination(dst, link * fraction, raws[k++]);
            }
        }
        scorer.scoreAll(raws, count, out);
        List<ScoredOption> options = new ArrayList<>(count * Algorithm.values().length);
        k = 0;
        for (HostState dst : scored) {
            double link = ranking.linkTo(dst);
            for (double fraction : ladder) {
                double[] figures = out[k++];
                for (Algorithm a : Algorithm.values()) {
                    ScoredOption o =
                            new ScoredOption(ranking.noRoom() ? null : dst, a, link * fraction, fraction == 1.0);
                    for (Target t : Target.values()) {
                        o.predicted[t.ordinal()] = figure(figures, a, t);
                    }
                    options.add(o);
                }
            }
        }
        return options;
    }

    /** One scored figure; a slowdown below zero (a regression's overshoot) is no slowdown. */
    private static double figure(double[] out, Algorithm a, Target t) {
        double v = out[Scorer.index(a, t)];
        return t == Target.PERF && v < 0 ? 0.0 : v;
    }
}
