package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.model.score.Scorer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores one VM profile against the top-K destinations and every algorithm, applies the SLA policy
 * ({@link SlaJudge}), picks the recommendation and derives its risks ({@link RiskRules}). Pure: no Kafka,
 * so the choice is unit-testable.
 */
public final class RecommendationEngine {
    /** Fractions of the link tried when the policy asks for the lowest bandwidth that meets the SLA. */
    static final double[] BANDWIDTH_LADDER = {0.25, 0.5, 0.75, 1.0};

    /** Key prefix of a cell's hold-out gMRE in a model file's validation figures. */
    public static final String VALIDATION_GMRE_PREFIX = "holdout.gMRE.";

    private final Scorer scorer;
    private final String modelVersion;
    private final int topK;
    private final Map<String, Double> validation;

    public RecommendationEngine(Scorer scorer, String modelVersion, int topK) {
        this(scorer, modelVersion, topK, Map.of());
    }

    /** @param validation the model file's validation figures, e.g. {@code holdout.gMRE.PRE.TT -> 0.02} */
    public RecommendationEngine(Scorer scorer, String modelVersion, int topK, Map<String, Double> validation) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-K destinations must be at least 1");
        }
        this.scorer = scorer;
        this.modelVersion = modelVersion;
        this.topK = topK;
        this.validation = Map.copyOf(validation);
    }

    public String modelVersion() {
        return modelVersion;
    }

    /** The model's own hold-out gMRE for a cell, or NaN when its file records none. */
    public double validationGmre(Algorithm algorithm, Target target) {
        Double v = validation.get(VALIDATION_GMRE_PREFIX + algorithm.shortName() + "." + target.name());
        return v == null ? Double.NaN : v;
    }

    /**
     * The six predicted figures, indexed by {@link Target#ordinal()}, of migrating {@code profile}'s VM
     * with {@code algorithm} to {@code destination} at {@code bandwidthMBps}: any destination and
     * bandwidth, not only those a recommendation chose.
     */
    public double[] predict(VmProfile profile, HostState destination, double bandwidthMBps, Algorithm algorithm) {
        double[] raw = ProfileFeatures.raw(ProfileFeatures.view(profile), destination, bandwidthMBps);
        double[] out = new double[Scorer.OUTPUTS];
        scorer.scoreAll(raw, out);
        double[] figures = new double[Target.values().length];
        for (Target t : Target.values()) {
            figures[t.ordinal()] = figure(out, algorithm, t);
        }
        return figures;
    }

    /** Pre-copy's physics: see {@link RiskRules#precopyConverges}. */
    public static boolean precopyConverges(VmProfile profile, double bandwidthMBps) {
        return RiskRules.precopyConverges(ProfileFeatures.view(profile), bandwidthMBps);
    }

    /** One scored figure; a slowdown below zero (a regression's overshoot) is no slowdown. */
    static double figure(double[] out, Algorithm a, Target t) {
        double v = out[Scorer.index(a, t)];
        return t == Target.PERF && v < 0 ? 0.0 : v;
    }


    public Decision decide(VmProfile profile, List<HostState> hosts, SlaPolicy policy, Instant now) {
        ProfileView vm = ProfileFeatures.view(profile);
        double vmSizeMb = vm.vmSizeMib();
        double vmCpu = vm.cpuUtilPercent();
        HostState source = null;
        List<HostState> candidates = new ArrayList<>();
        for (HostState h : hosts) {
            if (h.hostId().equals(profile.getHostId())) {
                source = h;
            } else if (h.memAvailMb() >= vmSizeMb && h.cpuAvailPercent() >= vmCpu) {
                candidates.add(h);
            }
        }
        candidates.sort(Comparator.comparingDouble((HostState h) -> h.spareCapacityFor(vmSizeMb, vmCpu)).reversed()
                .thenComparing(HostState::hostId));
        if (candidates.size() > topK) {
            candidates = new ArrayList<>(candidates.subList(0, topK));
        }
        double sourceLinkMBps = source == null ? FeatureSchema.DEFAULT_LINK_SPEED_MBPS : source.migrationLinkAvailMBps();

        double[] raw = RawFeature.emptyVector();
        vm.fillVm(raw);
        double[] out = new double[Scorer.OUTPUTS];
        List<ScoredOption> options = new ArrayList<>();
        List<HostState> scored = candidates.isEmpty() ? List.of(noDestination(sourceLinkMBps)) : candidates;
        double[] ladder = Boolean.TRUE.equals(policy.getMinimizeBandwidth()) ? BANDWIDTH_LADDER : new double[] {1.0};
        for (HostState dst : scored) {
            double link = Math.min(sourceLinkMBps, dst.migrationLinkAvailMBps());
            for (double fraction : ladder) {
                double bandwidth = link * fraction;
                ProfileFeatures.fillDestination(dst, bandwidth, raw);
                scorer.scoreAll(raw, out);
                for (Algorithm a : Algorithm.values()) {
                    ScoredOption o = new ScoredOption(candidates.isEmpty() ? null : dst, a, bandwidth, fraction == 1.0);
                    for (Target t : Target.values()) {
                        o.predicted[t.ordinal()] = figure(out, a, t);
                    }
                    SlaJudge.judge(o, policy);
                    options.add(o);
                }
            }
        }

        Comparator<ScoredOption> byObjective = Comparator.comparingDouble((ScoredOption o) -> objective(o, policy))
                .thenComparingDouble(o -> o.get(Target.TT));
        // With minimizeBandwidth the lowest bandwidth that meets the SLA wins; the objective decides among its options.
        Comparator<ScoredOption> byChoice = Boolean.TRUE.equals(policy.getMinimizeBandwidth())
                ? Comparator.comparingDouble((ScoredOption o) -> o.bandwidthMBps).thenComparing(byObjective) : byObjective;
        // An option judged on known figures beats one with an unknown figure; the latter is chosen only when no known one meets the SLA.
        ScoredOption best = options.stream().filter(o -> o.destination != null && o.feasible() && o.unknown.isEmpty())
                .min(byChoice).orElse(null);
        if (best == null) {
            best = options.stream().filter(o -> o.destination != null && o.feasible()).min(byChoice).orElse(null);
        }
        ScoredOption closest = best != null ? best
                : options.stream().filter(o -> o.fullLink)
                .min(Comparator.comparingDouble((ScoredOption o) -> o.excess).thenComparing(byObjective)).orElseThrow();

        List<AlgorithmPrediction> predictions = new ArrayList<>(Algorithm.values().length);
        for (ScoredOption o : options) {
            if (o.destination == closest.destination && o.bandwidthMBps == closest.bandwidthMBps) {
                predictions.add(toPrediction(o));
            }
        }
        MigrationRecommendation.Builder rec = MigrationRecommendation.newBuilder()
                .setVmId(profile.getVmId())
                .setSourceHostId(profile.getHostId())
                .setProfileWindowEnd(profile.getWindowEnd())
                .setCreatedAt(now)
                .setBandwidthMBps(closest.bandwidthMBps)
                .setPredictions(predictions)
                .setModelVersion(modelVersion);
        if (best != null) {
            long downtimeLimitMs = policy.getMaxDowntimeMs() == null ? GeometricPrecopy.DEFAULT_DOWNTIME_LIMIT_MS
                    : policy.getMaxDowntimeMs();
            rec.setDestinationHostId(best.destination.hostId())
                    .setAlgorithm(Algorithms.toAvro(best.algorithm))
                    .setSettings(MigrationSettingsFactory.settingsFor(best.algorithm, best.bandwidthMBps, downtimeLimitMs,
                            vmSizeMb, vm.wssMib(), best.get(Target.TT)))
                    .setReason(reason(best, policy, candidates.size()));
        } else {
            rec.setDestinationHostId(null).setAlgorithm(null).setSettings(null)
                    .setReason(candidates.isEmpty()
                            ? "no host has room for this VM (" + Math.round(vmSizeMb) + " MB, " + Math.round(vmCpu) + "% CPU)"
                            : "no algorithm meets the SLA on any of " + candidates.size() + " destinations; closest: "
                            + closest.algorithm.shortName() + " to " + closest.destination.hostId() + " violating "
                            + String.join(", ", closest.violated));
        }
        Map<SlaRiskType, Double> levels = new EnumMap<>(SlaRiskType.class);
        List<Risk> risks = RiskRules.risks(vm, options, best, closest, candidates.isEmpty(), policy, levels);
        return new Decision(rec.build(), risks, levels);
    }

    private static HostState noDestination(double linkMBps) {
        return HostState.unknown("", linkMBps);
    }


    private static double objective(ScoredOption o, SlaPolicy p) {
        double v;
        switch (p.getObjective()) {
            case MIN_TRANSFERRED_DATA: v = o.get(Target.TD); break;
            case MIN_DEGRADATION: v = o.get(Target.PERF); break;
            default: v = o.get(Target.TT);
        }
        return Double.isNaN(v) ? o.get(Target.TT) : v;
    }

    private static AlgorithmPrediction toPrediction(ScoredOption o) {
        return AlgorithmPrediction.newBuilder()
                .setAlgorithm(Algorithms.toAvro(o.algorithm))
                .setTotalTimeMs(o.get(Target.TT))
                .setDowntimeMs(o.get(Target.DT))
                .setTransferredBytes(o.get(Target.TD))
                .setPerformanceDegradation(o.get(Target.PERF))
                .setSourceCpuExtraPercent(o.get(Target.CPU))
                .setSourceMemExtraMb(o.get(Target.MEM))
                .setSlaVerdict(!o.feasible() ? SlaVerdict.VIOLATES_SLA
                        : o.unknown.isEmpty() ? SlaVerdict.MEETS_SLA : SlaVerdict.UNKNOWN)
                .setViolatedLimits(new ArrayList<>(o.violated))
                .setUnknownLimits(new ArrayList<>(o.unknown))
                .build();
    }

    private static String reason(ScoredOption best, SlaPolicy policy, int destinations) {
        String objective = policy.getObjective().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (Boolean.TRUE.equals(policy.getMinimizeBandwidth())) {
            objective = "lowest bandwidth that meets the SLA, then " + objective;
        }
        String line = String.format(Locale.ROOT, "%s to %s at %.0f MB/s: %s, predicted %.1f s total, %.0f ms downtime, %.0f MB sent (best of %d destination%s)",
                best.algorithm.shortName(), best.destination.hostId(), best.bandwidthMBps, objective,
                best.get(Target.TT) / 1000.0, best.get(Target.DT), Units.mibOfBytes(best.get(Target.TD)),
                destinations, destinations == 1 ? "" : "s");
        return best.unknown.isEmpty() ? line
                : line + "; no option meets the SLA on known figures: " + String.join(", ", best.unknown)
                + " unknown (the model does not predict it)";
    }

}
