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
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.profile.ProfileViews;
import io.lmadvisor.streams.risk.Risk;
import io.lmadvisor.streams.risk.RiskRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One VM profile → one {@link Decision}: ranks destinations ({@link DestinationRanking}), scores every algorithm
 * at each ({@link OptionScoring}), judges each option against the SLA policy ({@link SlaJudge}), picks the
 * recommendation and derives its risks ({@link RiskRules}). Pure: no Kafka, so the choice is unit-testable.
 */
public final class RecommendationEngine implements Predictor {
    /** Fractions of the link tried when the policy asks for the lowest bandwidth that meets the SLA. */
    static final double[] BANDWIDTH_LADDER = {0.25, 0.5, 0.75, 1.0};

    /** Key prefix of a cell's hold-out gMRE in a model file's validation figures. */
    public static final String VALIDATION_GMRE_PREFIX = OptionScoring.VALIDATION_GMRE_PREFIX;

    private final OptionScoring scoring;
    private final int topK;

    public RecommendationEngine(Scorer scorer, String modelVersion, int topK) {
        this(scorer, modelVersion, topK, Map.of());
    }

    /** @param validation the model file's validation figures, e.g. {@code holdout.gMRE.PRE.TT -> 0.02} */
    public RecommendationEngine(Scorer scorer, String modelVersion, int topK, Map<String, Double> validation) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-K destinations must be at least 1");
        }
        this.scoring = new OptionScoring(scorer, modelVersion, validation);
        this.topK = topK;
    }

    @Override
    public String modelVersion() {
        return scoring.modelVersion();
    }

    @Override
    public double validationGmre(Algorithm algorithm, Target target) {
        return scoring.validationGmre(algorithm, target);
    }

    @Override
    public double[] predict(VmProfile profile, HostState destination, double bandwidthMBps, Algorithm algorithm) {
        return scoring.predict(profile, destination, bandwidthMBps, algorithm);
    }

    /** Pre-copy's physics: see {@link RiskRules#precopyConverges}. */
    public static boolean precopyConverges(VmProfile profile, double bandwidthMBps) {
        return RiskRules.precopyConverges(ProfileViews.of(profile), bandwidthMBps);
    }

    public Decision decide(VmProfile profile, List<HostState> hosts, SlaPolicy policy, Instant now) {
        ProfileView vm = ProfileViews.of(profile);
        DestinationRanking ranking = DestinationRanking.rank(vm, profile.getHostId(), hosts, topK);
        List<ScoredOption> options = scoreAndJudge(vm, ranking, policy);

        Comparator<ScoredOption> byObjective = Comparator.comparingDouble((ScoredOption o) -> objective(o, policy))
                .thenComparingDouble(o -> o.get(Target.TT));
        // With minimizeBandwidth the lowest bandwidth that meets the SLA wins; the objective decides among its options.
        Comparator<ScoredOption> byChoice = Boolean.TRUE.equals(policy.getMinimizeBandwidth())
                ? Comparator.comparingDouble((ScoredOption o) -> o.bandwidthMBps)
                        .thenComparing(byObjective)
                : byObjective;
        // An option judged on known figures beats one with an unknown figure; the latter is chosen only when no known
        // one meets the SLA.
        ScoredOption best = options.stream()
                .filter(o -> o.destination != null && o.feasible() && o.unknown.isEmpty())
                .min(byChoice)
                .orElse(null);
        if (best == null) {
            best = options.stream()
                    .filter(o -> o.destination != null && o.feasible())
                    .min(byChoice)
                    .orElse(null);
        }
        ScoredOption closest = best != null
                ? best
                : options.stream()
                        .filter(o -> o.fullLink)
                        .min(Comparator.comparingDouble((ScoredOption o) -> o.excess)
                                .thenComparing(byObjective))
                        .orElseThrow();

        Map<SlaRiskType, Double> levels = new EnumMap<>(SlaRiskType.class);
        List<Risk> risks = RiskRules.risks(vm, options, best, closest, ranking.noRoom(), policy, levels);
        return new Decision(recommendation(profile, vm, options, best, closest, ranking, policy, now), risks, levels);
    }

    /** Every destination (or, with no room anywhere, the source's link alone) × bandwidth step × algorithm. */
    private List<ScoredOption> scoreAndJudge(ProfileView vm, DestinationRanking ranking, SlaPolicy policy) {
        double[] ladder = Boolean.TRUE.equals(policy.getMinimizeBandwidth()) ? BANDWIDTH_LADDER : new double[] {1.0};
        List<ScoredOption> options = scoring.score(vm, ranking, ladder);
        for (ScoredOption o : options) {
            SlaJudge.judge(o, policy);
        }
        return options;
    }

    private MigrationRecommendation recommendation(
            VmProfile profile,
            ProfileView vm,
            List<ScoredOption> options,
            ScoredOption best,
            ScoredOption closest,
            DestinationRanking ranking,
            SlaPolicy policy,
            Instant now) {
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
                .setModelVersion(modelVersion());
        int destinations = ranking.candidates().size();
        if (best != null) {
            long downtimeLimitMs = policy.getMaxDowntimeMs() == null
                    ? GeometricPrecopy.DEFAULT_DOWNTIME_LIMIT_MS
                    : policy.getMaxDowntimeMs();
            rec.setDestinationHostId(best.destination.hostId())
                    .setAlgorithm(Algorithms.toAvro(best.algorithm))
                    .setSettings(MigrationSettingsFactory.settingsFor(
                            best.algorithm,
                            best.bandwidthMBps,
                            downtimeLimitMs,
                            vm.vmSizeMib(),
                            vm.wssMib(),
                            best.get(Target.TT)))
                    .setReason(reason(best, policy, destinations));
        } else {
            rec.setDestinationHostId(null)
                    .setAlgorithm(null)
                    .setSettings(null)
                    .setReason(
                            ranking.noRoom()
                                    ? "no host has room for this VM (" + Math.round(vm.vmSizeMib()) + " MB, "
                                            + Math.round(vm.cpuUtilPercent()) + "% CPU)"
                                    : "no algorithm meets the SLA on any of " + destinations
                                            + " destinations; closest: "
                                            + closest.algorithm.shortName() + " to " + closest.destination.hostId()
                                            + " violating "
                                            + String.join(", ", closest.violated));
        }
        return rec.build();
    }

    private static double objective(ScoredOption o, SlaPolicy p) {
        double v;
        switch (p.getObjective()) {
            case MIN_TRANSFERRED_DATA:
                v = o.get(Target.TD);
                break;
            case MIN_DEGRADATION:
                v = o.get(Target.PERF);
                break;
            default:
                v = o.get(Target.TT);
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
                .setSlaVerdict(
                        !o.feasible()
                                ? SlaVerdict.VIOLATES_SLA
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
        // String.format's text, built without the formatter (DecimalText): one line per decision.
        StringBuilder line = new StringBuilder(160)
                .append(best.algorithm.shortName())
                .append(" to ")
                .append(best.destination.hostId())
                .append(" at ");
        DecimalText.append(line, best.bandwidthMBps, 0)
                .append(" MB/s: ")
                .append(objective)
                .append(", predicted ");
        DecimalText.append(line, best.get(Target.TT) / 1000.0, 1).append(" s total, ");
        DecimalText.append(line, best.get(Target.DT), 0).append(" ms downtime, ");
        DecimalText.append(line, Units.mibOfBytes(best.get(Target.TD)), 0)
                .append(" MB sent (best of ")
                .append(destinations)
                .append(destinations == 1 ? " destination)" : " destinations)");
        if (!best.unknown.isEmpty()) {
            line.append("; no option meets the SLA on known figures: ")
                    .append(String.join(", ", best.unknown))
                    .append(" unknown (the model does not predict it)");
        }
        return line.toString();
    }
}
