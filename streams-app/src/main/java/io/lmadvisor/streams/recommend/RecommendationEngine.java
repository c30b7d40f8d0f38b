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
            figures[t.ordinal()] = out[Scorer.index(algorithm, t)];
        }
        return figures;
    }

    /** Pre-copy's physics, not the model: dirtying that outruns the link never converges. */
    public static boolean precopyConverges(VmProfile profile, double bandwidthMBps) {
        return GeometricPrecopy.estimate(profile.getVmSizeMb(), ProfileFeatures.writeRateMBps(profile), bandwidthMBps,
                Pages.toMb(profile.getWssPages())).converged;
    }

    /** One scored (destination, algorithm) option. */
    private static final class Option {
        final HostState destination;
        final Algorithm algorithm;
        final double bandwidthMBps;
        final double[] predicted = new double[Target.values().length];
        final List<String> violated = new ArrayList<>(2);
        double excess;

        Option(HostState destination, Algorithm algorithm, double bandwidthMBps) {
            this.destination = destination;
            this.algorithm = algorithm;
            this.bandwidthMBps = bandwidthMBps;
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
        for (HostState dst : scored) {
            double bandwidth = Math.min(sourceLinkMBps, dst.migrationLinkAvailMBps());
            ProfileFeatures.fillDestination(dst, bandwidth, raw);
            scorer.scoreAll(raw, out);
            for (Algorithm a : Algorithm.values()) {
                Option o = new Option(candidates.isEmpty() ? null : dst, a, bandwidth);
                for (Target t : Target.values()) {
                    o.predicted[t.ordinal()] = out[Scorer.index(a, t)];
                }
                judge(o, policy);
                options.add(o);
            }
        }

        Comparator<Option> byObjective = Comparator.comparingDouble((Option o) -> objective(o, policy))
                .thenComparingDouble(o -> o.get(Target.TT));
        Option best = options.stream().filter(o -> o.destination != null && o.feasible()).min(byObjective).orElse(null);
        Option closest = best != null ? best
                : options.stream().min(Comparator.comparingDouble((Option o) -> o.excess).thenComparing(byObjective)).orElseThrow();

        List<AlgorithmPrediction> predictions = new ArrayList<>(Algorithm.values().length);
        for (Option o : options) {
            if (o.destination == closest.destination) {
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
        return new Decision(rec.build(), risks(profile, options, best, closest, candidates.isEmpty(), policy));
    }

    private static HostState noDestination(double linkMBps) {
        return HostState.unknown("", linkMBps);
    }

    private static void judge(Option o, SlaPolicy p) {
        check(o, DOWNTIME, o.get(Target.DT), p.getMaxDowntimeMs());
        check(o, TOTAL_TIME, o.get(Target.TT), p.getMaxTotalTimeMs());
        check(o, TRANSFERRED, o.get(Target.TD), p.getMaxTransferredBytes());
        check(o, DEGRADATION, o.get(Target.PERF), p.getMaxPerformanceDegradation());
    }

    /** An unknown prediction (NaN) cannot violate a limit: the model does not cover that metric. */
    private static void check(Option o, String metric, double predicted, Number limit) {
        if (limit != null && predicted > limit.doubleValue()) {
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
                .setSlaVerdict(o.feasible() ? SlaVerdict.MEETS_SLA : SlaVerdict.VIOLATES_SLA)
                .setViolatedLimits(new ArrayList<>(o.violated))
                .build();
    }

    private static String reason(Option best, SlaPolicy policy, int destinations) {
        String objective = policy.getObjective().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return String.format(Locale.ROOT, "%s to %s at %.0f MB/s: %s, predicted %.1f s total, %.0f ms downtime, %.0f MB sent (best of %d destination%s)",
                best.algorithm.shortName(), best.destination.hostId(), best.bandwidthMBps, objective,
                best.get(Target.TT) / 1000.0, best.get(Target.DT), best.get(Target.TD) / Pages.BYTES_PER_MB,
                destinations, destinations == 1 ? "" : "s");
    }

    private List<Risk> risks(VmProfile profile, List<Option> options, Option best, Option closest, boolean noRoom,
                             SlaPolicy policy) {
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
        }
        double pdrMBps = Pages.toMb(profile.getPdrPagesPerSec());
        if (!precopyConverges(profile, closest.bandwidthMBps)) {
            risks.add(new Risk(SlaRiskType.PRECOPY_NON_CONVERGENT, SlaRiskSeverity.WARNING,
                    String.format(Locale.ROOT, "dirtying %.0f MB/s against %.0f MB/s of bandwidth: pre-copy would not converge",
                            pdrMBps, closest.bandwidthMBps), "dirtyRateMBps", pdrMBps, closest.bandwidthMBps));
        }
        addLimitRisk(risks, SlaRiskType.DOWNTIME_RISK, DOWNTIME, Target.DT, options, best, policy.getMaxDowntimeMs());
        addLimitRisk(risks, SlaRiskType.DEGRADATION_RISK, DEGRADATION, Target.PERF, options, best,
                policy.getMaxPerformanceDegradation());
        return risks;
    }

    /** CRITICAL when no option stays under the limit, WARNING when the chosen one uses most of it. */
    private static void addLimitRisk(List<Risk> risks, SlaRiskType type, String metric, Target target,
                                     List<Option> options, Option best, Number limit) {
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
        } else if (best != null && best.get(target) > RISK_MARGIN * l) {
            risks.add(new Risk(type, SlaRiskSeverity.WARNING,
                    String.format(Locale.ROOT, "the recommended migration uses %.0f%% of the %s limit",
                            100.0 * best.get(target) / l, metric), metric, best.get(target), l));
        }
    }

    private static double valueOf(Option o, String metric) {
        switch (metric) {
            case DOWNTIME: return o.get(Target.DT);
            case TOTAL_TIME: return o.get(Target.TT);
            case TRANSFERRED: return o.get(Target.TD);
            case DEGRADATION: return o.get(Target.PERF);
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
            default: n = null;
        }
        return n == null ? Double.NaN : n.doubleValue();
    }
}
