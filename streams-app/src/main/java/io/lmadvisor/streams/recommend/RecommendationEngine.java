package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.features.Pages;
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
 * Scores one VM profile against the top-K destinations and every algorithm, applies the SLA policy,
 * and picks the recommendation. Pure: no Kafka, so the choice is unit-testable.
 */
public final class RecommendationEngine {
    /** Link speed assumed for a source host we have not heard from: 1 GbE. */
    static final double UNKNOWN_SOURCE_LINK_MBPS = 125.0;
    /** A limit is "at risk" once the best option uses this share of it. */
    static final double RISK_MARGIN = 0.8;
    static final String TOTAL_TIME = "totalTimeMs";
    static final String DOWNTIME = "downtimeMs";
    static final String TRANSFERRED = "transferredBytes";
    static final String DEGRADATION = "performanceDegradation";
    /** Violated-limit names of the post-copy rules (the policy's flag and its degradation budget). */
    static final String POSTCOPY_FORBIDDEN = "allowPostCopy";
    static final String POSTCOPY_DEGRADATION = "postCopyDegradation";
    /** Fractions of the link tried when the policy asks for the lowest bandwidth that meets the SLA. */
    static final double[] BANDWIDTH_LADDER = {0.25, 0.5, 0.75, 1.0};
    /**
     * Pre-copy needs headroom: writes above this share of the bandwidth are a non-convergence risk, as
     * QEMU's rounds shrink too slowly to reach the downtime target before the completion timeout.
     */
    static final double CONVERGENCE_MARGIN = 0.8;

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
        double[] raw = RawFeature.emptyVector();
        ProfileFeatures.fillVm(profile, raw);
        ProfileFeatures.fillDestination(destination, bandwidthMBps, raw);
        double[] out = new double[Scorer.OUTPUTS];
        scorer.scoreAll(raw, out);
        double[] figures = new double[Target.values().length];
        for (Target t : Target.values()) {
            figures[t.ordinal()] = figure(out, algorithm, t);
        }
        return figures;
    }

    /** One scored figure; a slowdown below zero (a regression's overshoot) is no slowdown. */
    static double figure(double[] out, Algorithm a, Target t) {
        double v = out[Scorer.index(a, t)];
        return t == Target.PERF && v < 0 ? 0.0 : v;
    }

    /**
     * Pre-copy's physics, not the model: dirtying that outruns {@code bandwidthMBps} never converges.
     * Pass the bandwidth times a margin to ask whether it converges with headroom.
     */
    public static boolean precopyConverges(VmProfile profile, double bandwidthMBps) {
        return GeometricPrecopy.estimate(profile.getVmSizeMb(), ProfileFeatures.writeRateMBps(profile), bandwidthMBps,
                Pages.toMb(profile.getWssPages())).converged;
    }

    /** One scored (destination, algorithm) option. */
    private static final class Option {
        final HostState destination;
        final Algorithm algorithm;
        final double bandwidthMBps;
        /** Whether this option uses the link's whole available bandwidth (the top of the ladder). */
        final boolean fullLink;
        final double[] predicted = new double[Target.values().length];
        final List<String> violated = new ArrayList<>(2);
        /** Limits whose figure the model does not predict: neither met nor violated. */
        final List<String> unknown = new ArrayList<>(1);
        double excess;

        Option(HostState destination, Algorithm algorithm, double bandwidthMBps, boolean fullLink) {
            this.destination = destination;
            this.algorithm = algorithm;
            this.bandwidthMBps = bandwidthMBps;
            this.fullLink = fullLink;
        }

        double get(Target t) {
            return predicted[t.ordinal()];
        }

        boolean feasible() {
            return violated.isEmpty();
        }
    }

    public Decision decide(VmProfile profile, List<HostState> hosts, SlaPolicy policy, Instant now) {
        double vmSizeMb = profile.getVmSizeMb();
        double vmCpu = profile.getCpuUtilPercent();
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
        double sourceLinkMBps = source == null ? UNKNOWN_SOURCE_LINK_MBPS : source.migrationLinkAvailMBps();

        double[] raw = RawFeature.emptyVector();
        ProfileFeatures.fillVm(profile, raw);
        double[] out = new double[Scorer.OUTPUTS];
        List<Option> options = new ArrayList<>();
        List<HostState> scored = candidates.isEmpty() ? List.of(noDestination(sourceLinkMBps)) : candidates;
        double[] ladder = Boolean.TRUE.equals(policy.getMinimizeBandwidth()) ? BANDWIDTH_LADDER : new double[] {1.0};
        for (HostState dst : scored) {
            double link = Math.min(sourceLinkMBps, dst.migrationLinkAvailMBps());
            for (double fraction : ladder) {
                double bandwidth = link * fraction;
                ProfileFeatures.fillDestination(dst, bandwidth, raw);
                scorer.scoreAll(raw, out);
                for (Algorithm a : Algorithm.values()) {
                    Option o = new Option(candidates.isEmpty() ? null : dst, a, bandwidth, fraction == 1.0);
                    for (Target t : Target.values()) {
                        o.predicted[t.ordinal()] = figure(out, a, t);
                    }
                    judge(o, policy);
                    options.add(o);
                }
            }
        }

        Comparator<Option> byObjective = Comparator.comparingDouble((Option o) -> objective(o, policy))
                .thenComparingDouble(o -> o.get(Target.TT));
        // With minimizeBandwidth the lowest bandwidth that meets the SLA wins; the objective decides among its options.
        Comparator<Option> byChoice = Boolean.TRUE.equals(policy.getMinimizeBandwidth())
                ? Comparator.comparingDouble((Option o) -> o.bandwidthMBps).thenComparing(byObjective) : byObjective;
        // An option judged on known figures beats one with an unknown figure; the latter is chosen only when no known one meets the SLA.
        Option best = options.stream().filter(o -> o.destination != null && o.feasible() && o.unknown.isEmpty())
                .min(byChoice).orElse(null);
        if (best == null) {
            best = options.stream().filter(o -> o.destination != null && o.feasible()).min(byChoice).orElse(null);
        }
        Option closest = best != null ? best
                : options.stream().filter(o -> o.fullLink)
                .min(Comparator.comparingDouble((Option o) -> o.excess).thenComparing(byObjective)).orElseThrow();

        List<AlgorithmPrediction> predictions = new ArrayList<>(Algorithm.values().length);
        for (Option o : options) {
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
            long downtimeLimitMs = policy.getMaxDowntimeMs() == null ? 300 : policy.getMaxDowntimeMs();
            rec.setDestinationHostId(best.destination.hostId())
                    .setAlgorithm(MigrationAlgorithm.values()[best.algorithm.ordinal()])
                    .setSettings(MigrationSettingsFactory.settingsFor(best.algorithm, best.bandwidthMBps, downtimeLimitMs,
                            vmSizeMb, Pages.toMb(profile.getWssPages()), best.get(Target.TT)))
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
        List<Risk> risks = risks(profile, options, best, closest, candidates.isEmpty(), policy, levels);
        return new Decision(rec.build(), risks, levels);
    }

    private static HostState noDestination(double linkMBps) {
        return HostState.unknown("", linkMBps);
    }

    private static void judge(Option o, SlaPolicy p) {
        if (o.algorithm == Algorithm.POSTCOPY && Boolean.FALSE.equals(p.getAllowPostCopy())) {
            // Forbidden, not merely over a limit: weigh it as far off so "closest" names an allowed option first.
            o.violated.add(POSTCOPY_FORBIDDEN);
            o.excess += 1e6;
        }
        check(o, DOWNTIME, o.get(Target.DT), p.getMaxDowntimeMs());
        check(o, TOTAL_TIME, o.get(Target.TT), p.getMaxTotalTimeMs());
        check(o, TRANSFERRED, o.get(Target.TD), p.getMaxTransferredBytes());
        check(o, DEGRADATION, o.get(Target.PERF), p.getMaxPerformanceDegradation());
        if (o.algorithm == Algorithm.POSTCOPY) {
            check(o, POSTCOPY_DEGRADATION, o.get(Target.PERF), p.getMaxPostCopyDegradation());
        }
    }

    /** An unknown prediction (NaN) neither meets nor violates a limit: it is recorded as unknown. */
    private static void check(Option o, String metric, double predicted, Number limit) {
        if (limit == null) {
            return;
        }
        if (Double.isNaN(predicted)) {
            o.unknown.add(metric);
        } else if (predicted > limit.doubleValue()) {
            o.violated.add(metric);
            o.excess += predicted / Math.max(limit.doubleValue(), 1e-9) - 1.0;
        }
    }

    private static double objective(Option o, SlaPolicy p) {
        double v;
        switch (p.getObjective()) {
            case MIN_TRANSFERRED_DATA: v = o.get(Target.TD); break;
            case MIN_DEGRADATION: v = o.get(Target.PERF); break;
            default: v = o.get(Target.TT);
        }
        return Double.isNaN(v) ? o.get(Target.TT) : v;
    }

    private static AlgorithmPrediction toPrediction(Option o) {
        return AlgorithmPrediction.newBuilder()
                .setAlgorithm(MigrationAlgorithm.values()[o.algorithm.ordinal()])
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

    private static String reason(Option best, SlaPolicy policy, int destinations) {
        String objective = policy.getObjective().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (Boolean.TRUE.equals(policy.getMinimizeBandwidth())) {
            objective = "lowest bandwidth that meets the SLA, then " + objective;
        }
        String line = String.format(Locale.ROOT, "%s to %s at %.0f MB/s: %s, predicted %.1f s total, %.0f ms downtime, %.0f MB sent (best of %d destination%s)",
                best.algorithm.shortName(), best.destination.hostId(), best.bandwidthMBps, objective,
                best.get(Target.TT) / 1000.0, best.get(Target.DT), best.get(Target.TD) / Pages.BYTES_PER_MB,
                destinations, destinations == 1 ? "" : "s");
        return best.unknown.isEmpty() ? line
                : line + "; no option meets the SLA on known figures: " + String.join(", ", best.unknown)
                + " unknown (the model does not predict it)";
    }

    /**
     * The risks present now, and in {@code levels} how close each kind is to being raised (its figure over
     * the raising threshold: 1 or more is raised), so that the risk tracker can hold an open risk while
     * a VM hovers just below the threshold.
     */
    private List<Risk> risks(VmProfile profile, List<Option> options, Option best, Option closest, boolean noRoom,
                             SlaPolicy policy, Map<SlaRiskType, Double> levels) {
        List<Risk> risks = new ArrayList<>();
        if (noRoom) {
            risks.add(new Risk(SlaRiskType.DESTINATION_CAPACITY, SlaRiskSeverity.WARNING,
                    "no other host has the memory and CPU for this VM", "vmSizeMb", profile.getVmSizeMb(), Double.NaN));
        }
        if (best == null) {
            String metric = closest.violated.isEmpty() ? "destination" : closest.violated.get(0);
            risks.add(new Risk(SlaRiskType.NO_FEASIBLE_MIGRATION, SlaRiskSeverity.CRITICAL,
                    noRoom ? "no destination can take this VM" : "no algorithm and destination meets the SLA",
                    metric, valueOf(closest, metric), limitOf(policy, metric)));
            levels.put(SlaRiskType.NO_FEASIBLE_MIGRATION, 1.0 + closest.excess);
        } else {
            levels.put(SlaRiskType.NO_FEASIBLE_MIGRATION, highestShareOfLimit(best, policy));
        }
        addNonConvergenceRisk(risks, profile, options, closest, levels);
        addLimitRisk(risks, levels, SlaRiskType.DOWNTIME_RISK, DOWNTIME, Target.DT, options, best, policy.getMaxDowntimeMs());
        addLimitRisk(risks, levels, SlaRiskType.DEGRADATION_RISK, DEGRADATION, Target.PERF, options, best,
                policy.getMaxPerformanceDegradation());
        return risks;
    }

    /**
     * Pre-copy at the full link of the destination looked at: a risk when the model predicts it beyond the
     * completion timeout (or never finishing), or when the write rate exceeds {@link #CONVERGENCE_MARGIN}
     * of the bandwidth, where the geometric pre-copy rounds no longer converge.
     */
    private static void addNonConvergenceRisk(List<Risk> risks, VmProfile profile, List<Option> options, Option closest,
                                              Map<SlaRiskType, Double> levels) {
        Option pre = null;
        for (Option o : options) {
            if (o.destination == closest.destination && o.fullLink && o.algorithm == Algorithm.PRECOPY) {
                pre = o;
            }
        }
        if (pre == null) {
            return;
        }
        double bandwidth = pre.bandwidthMBps;
        double writeMBps = ProfileFeatures.writeRateMBps(profile);
        double timeoutMs = completionTimeoutMs(profile.getVmSizeMb());
        double predictedTtMs = pre.get(Target.TT);
        boolean analytic = !precopyConverges(profile, bandwidth * CONVERGENCE_MARGIN);
        boolean model = modelPredictsNoConvergence(profile, predictedTtMs);
        double writeShare = writeMBps / (bandwidth * CONVERGENCE_MARGIN);
        // Converged although writes outrun the bandwidth: a small working set caps what is re-sent; no closeness figure.
        double level = Math.max(analytic || writeShare < 1 ? writeShare : 0, Double.isNaN(predictedTtMs) ? 0 : predictedTtMs / timeoutMs);
        levels.put(SlaRiskType.PRECOPY_NON_CONVERGENT, analytic || model ? Math.max(level, 1.0) : level);
        if (model) {
            risks.add(new Risk(SlaRiskType.PRECOPY_NON_CONVERGENT, SlaRiskSeverity.WARNING,
                    String.format(Locale.ROOT, "the model predicts pre-copy at %.0f MB/s takes %.0f s, beyond the %.0f s completion timeout",
                            bandwidth, predictedTtMs / 1000.0, timeoutMs / 1000.0), TOTAL_TIME, predictedTtMs, timeoutMs));
        } else if (analytic) {
            risks.add(new Risk(SlaRiskType.PRECOPY_NON_CONVERGENT, SlaRiskSeverity.WARNING,
                    String.format(Locale.ROOT, "writing %.0f MB/s against %.0f MB/s of bandwidth (%.0f%% usable for pre-copy to converge)",
                            writeMBps, bandwidth, 100 * CONVERGENCE_MARGIN), "writeRateMBps", writeMBps, bandwidth * CONVERGENCE_MARGIN));
        }
    }

    /**
     * The PRECOPY_NON_CONVERGENT rule, one source for the risk event and the online evaluation's precision and
     * recall: the model's pre-copy time (NaN: not predicted) beyond the completion timeout, or writes beyond
     * {@link #CONVERGENCE_MARGIN} of the bandwidth where the geometric rounds no longer converge.
     */
    public static boolean precopyAtRisk(VmProfile profile, double bandwidthMBps, double predictedPrecopyTtMs) {
        return modelPredictsNoConvergence(profile, predictedPrecopyTtMs)
                || !precopyConverges(profile, bandwidthMBps * CONVERGENCE_MARGIN);
    }

    private static boolean modelPredictsNoConvergence(VmProfile profile, double predictedPrecopyTtMs) {
        return !Double.isNaN(predictedPrecopyTtMs) && !(predictedPrecopyTtMs <= completionTimeoutMs(profile.getVmSizeMb()));
    }

    /** KubeVirt's default completion timeout for a VM of this size, which the settings never lower. */
    static double completionTimeoutMs(double vmSizeMb) {
        return MigrationSettingsFactory.KUBEVIRT_DEFAULT_COMPLETION_TIMEOUT_PER_GIB_S * 1000.0 * Math.max(vmSizeMb, 1.0) / 1024.0;
    }

    /** The largest share of a limit the option's known figures use. */
    private static double highestShareOfLimit(Option o, SlaPolicy p) {
        double share = 0;
        for (String metric : List.of(DOWNTIME, TOTAL_TIME, TRANSFERRED, DEGRADATION)) {
            double v = valueOf(o, metric) / limitOf(p, metric);
            if (v > share) {
                share = v;
            }
        }
        return share;
    }

    /** CRITICAL when no option stays under the limit, WARNING when the chosen one uses most of it. */
    private static void addLimitRisk(List<Risk> risks, Map<SlaRiskType, Double> levels, SlaRiskType type, String metric,
                                     Target target, List<Option> options, Option best, Number limit) {
        if (limit == null) {
            return;
        }
        double lowest = Double.NaN;
        for (Option o : options) {
            double v = o.get(target);
            if (!Double.isNaN(v) && !(v >= lowest)) {
                lowest = v;
            }
        }
        double l = limit.doubleValue();
        if (lowest > l) {
            risks.add(new Risk(type, SlaRiskSeverity.CRITICAL,
                    String.format(Locale.ROOT, "every option exceeds the %s limit (best %.3g > %.3g)", metric, lowest, l),
                    metric, lowest, l));
            levels.put(type, lowest / l);
        } else if (best != null) {
            double v = best.get(target);
            if (v > RISK_MARGIN * l) {
                risks.add(new Risk(type, SlaRiskSeverity.WARNING,
                        String.format(Locale.ROOT, "the recommended migration uses %.0f%% of the %s limit",
                                100.0 * v / l, metric), metric, v, l));
            }
            // Just above the WARNING threshold counts as 1: the threshold is RISK_MARGIN of the limit.
            levels.put(type, v / (RISK_MARGIN * l));
        }
    }

    private static double valueOf(Option o, String metric) {
        switch (metric) {
            case DOWNTIME: return o.get(Target.DT);
            case TOTAL_TIME: return o.get(Target.TT);
            case TRANSFERRED: return o.get(Target.TD);
            case DEGRADATION:
            case POSTCOPY_DEGRADATION: return o.get(Target.PERF);
            default: return Double.NaN;
        }
    }

    private static double limitOf(SlaPolicy p, String metric) {
        Number n;
        switch (metric) {
            case DOWNTIME: n = p.getMaxDowntimeMs(); break;
            case TOTAL_TIME: n = p.getMaxTotalTimeMs(); break;
            case TRANSFERRED: n = p.getMaxTransferredBytes(); break;
            case DEGRADATION: n = p.getMaxPerformanceDegradation(); break;
            case POSTCOPY_DEGRADATION: n = p.getMaxPostCopyDegradation(); break;
            default: n = null;
        }
        return n == null ? Double.NaN : n.doubleValue();
    }
}
