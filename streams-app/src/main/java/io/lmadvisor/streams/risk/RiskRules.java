package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.analytic.GeometricPrecopy;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.profile.ProfileViews;
import io.lmadvisor.streams.recommend.DecimalText;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import io.lmadvisor.streams.recommend.ScoredOption;
import io.lmadvisor.streams.recommend.SlaJudge;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Which SLA risks one decision carries, and how close each kind is to being raised. */
public final class RiskRules {
    /** A limit is "at risk" once the best option uses this share of it. */
    static final double RISK_MARGIN = 0.8;
    /**
     * Pre-copy needs headroom: writes above this share of the bandwidth are a non-convergence risk, as
     * QEMU's rounds shrink too slowly to reach the downtime target before the completion timeout.
     */
    static final double CONVERGENCE_MARGIN = 0.8;

    private RiskRules() {}

    /**
     * Pre-copy's physics, not the model: dirtying that outruns {@code bandwidthMBps} never converges.
     * Pass the bandwidth times a margin to ask whether it converges with headroom.
     */
    public static boolean precopyConverges(ProfileView vm, double bandwidthMBps) {
        return GeometricPrecopy.estimate(vm.vmSizeMib(), vm.writeRateMiBps(), bandwidthMBps, vm.wssMib()).converged;
    }

    /**
     * The risks present now, and in {@code levels} how close each kind is to being raised (its figure over
     * the raising threshold: 1 or more is raised), so that the risk tracker can hold an open risk while
     * a VM hovers just below the threshold.
     */
    public static List<Risk> risks(
            ProfileView vm,
            List<ScoredOption> options,
            ScoredOption best,
            ScoredOption closest,
            boolean noRoom,
            SlaPolicy policy,
            Map<SlaRiskType, Double> levels) {
        List<Risk> risks = new ArrayList<>();
        if (noRoom) {
            risks.add(new Risk(
                    SlaRiskType.DESTINATION_CAPACITY,
                    SlaRiskSeverity.WARNING,
                    "no other host has the memory and CPU for this VM",
                    "vmSizeMb",
                    vm.vmSizeMib(),
                    Double.NaN));
        }
        if (best == null) {
            String metric = closest.violated().isEmpty()
                    ? "destination"
                    : closest.violated().get(0);
            risks.add(new Risk(
                    SlaRiskType.NO_FEASIBLE_MIGRATION,
                    SlaRiskSeverity.CRITICAL,
                    noRoom ? "no destination can take this VM" : "no algorithm and destination meets the SLA",
                    metric,
                    SlaJudge.valueOf(closest, metric),
                    SlaJudge.limitOf(policy, metric)));
            levels.put(SlaRiskType.NO_FEASIBLE_MIGRATION, 1.0 + closest.excess());
        } else {
            levels.put(SlaRiskType.NO_FEASIBLE_MIGRATION, SlaJudge.highestShareOfLimit(best, policy));
        }
        addNonConvergenceRisk(risks, vm, options, closest, levels);
        addLimitRisk(
                risks,
                levels,
                SlaRiskType.DOWNTIME_RISK,
                SlaJudge.DOWNTIME,
                Target.DT,
                options,
                best,
                policy.getMaxDowntimeMs());
        addLimitRisk(
                risks,
                levels,
                SlaRiskType.DEGRADATION_RISK,
                SlaJudge.DEGRADATION,
                Target.PERF,
                options,
                best,
                policy.getMaxPerformanceDegradation());
        return risks;
    }

    /**
     * Pre-copy at the full link of the destination looked at: a risk when the model predicts it beyond the
     * completion timeout (or never finishing), or when the write rate exceeds {@link #CONVERGENCE_MARGIN}
     * of the bandwidth, where the geometric pre-copy rounds no longer converge.
     */
    private static void addNonConvergenceRisk(
            List<Risk> risks,
            ProfileView vm,
            List<ScoredOption> options,
            ScoredOption closest,
            Map<SlaRiskType, Double> levels) {
        ScoredOption pre = null;
        for (ScoredOption o : options) {
            if (o.destination() == closest.destination() && o.fullLink() && o.algorithm() == Algorithm.PRECOPY) {
                pre = o;
            }
        }
        if (pre == null) {
            return;
        }
        double bandwidth = pre.bandwidthMBps();
        double writeMBps = vm.writeRateMiBps();
        double timeoutMs = completionTimeoutMs(vm.vmSizeMib());
        double predictedTtMs = pre.get(Target.TT);
        boolean analytic = !precopyConverges(vm, bandwidth * CONVERGENCE_MARGIN);
        boolean model = modelPredictsNoConvergence(vm, predictedTtMs);
        double writeShare = writeMBps / (bandwidth * CONVERGENCE_MARGIN);
        // Converged although writes outrun the bandwidth: a small working set caps what is re-sent; no closeness
        // figure.
        double level = Math.max(
                analytic || writeShare < 1 ? writeShare : 0,
                Double.isNaN(predictedTtMs) ? 0 : predictedTtMs / timeoutMs);
        levels.put(SlaRiskType.PRECOPY_NON_CONVERGENT, analytic || model ? Math.max(level, 1.0) : level);
        if (model) {
            risks.add(new Risk(
                    SlaRiskType.PRECOPY_NON_CONVERGENT,
                    SlaRiskSeverity.WARNING,
                    "the model predicts pre-copy at " + DecimalText.fixed(bandwidth, 0) + " MB/s takes "
                            + DecimalText.fixed(predictedTtMs / 1000.0, 0) + " s, beyond the "
                            + DecimalText.fixed(timeoutMs / 1000.0, 0) + " s completion timeout",
                    SlaJudge.TOTAL_TIME,
                    predictedTtMs,
                    timeoutMs));
        } else if (analytic) {
            risks.add(new Risk(
                    SlaRiskType.PRECOPY_NON_CONVERGENT,
                    SlaRiskSeverity.WARNING,
                    "writing " + DecimalText.fixed(writeMBps, 0) + " MB/s against " + DecimalText.fixed(bandwidth, 0)
                            + " MB/s of bandwidth (" + DecimalText.fixed(100 * CONVERGENCE_MARGIN, 0)
                            + "% usable for pre-copy to converge)",
                    "writeRateMBps",
                    writeMBps,
                    bandwidth * CONVERGENCE_MARGIN));
        }
    }

    /**
     * The PRECOPY_NON_CONVERGENT rule, one source for the risk event and the online evaluation's precision and
     * recall: the model's pre-copy time (NaN: not predicted) beyond the completion timeout, or writes beyond
     * {@link #CONVERGENCE_MARGIN} of the bandwidth where the geometric rounds no longer converge.
     */
    public static boolean precopyAtRisk(VmProfile profile, double bandwidthMBps, double predictedPrecopyTtMs) {
        ProfileView vm = ProfileViews.of(profile);
        return modelPredictsNoConvergence(vm, predictedPrecopyTtMs)
                || !precopyConverges(vm, bandwidthMBps * CONVERGENCE_MARGIN);
    }

    private static boolean modelPredictsNoConvergence(ProfileView vm, double predictedPrecopyTtMs) {
        return !Double.isNaN(predictedPrecopyTtMs) && !(predictedPrecopyTtMs <= completionTimeoutMs(vm.vmSizeMib()));
    }

    /** KubeVirt's default completion timeout for a VM of this size, which the settings never lower. */
    public static double completionTimeoutMs(double vmSizeMb) {
        return MigrationSettingsFactory.KUBEVIRT_DEFAULT_COMPLETION_TIMEOUT_PER_GIB_S
                * 1000.0
                * Units.gibOfMib(Math.max(vmSizeMb, 1.0));
    }

    /** CRITICAL when no option stays under the limit, WARNING when the chosen one uses most of it. */
    private static void addLimitRisk(
            List<Risk> risks,
            Map<SlaRiskType, Double> levels,
            SlaRiskType type,
            String metric,
            Target target,
            List<ScoredOption> options,
            ScoredOption best,
            Number limit) {
        if (limit == null) {
            return;
        }
        double lowest = Double.NaN;
        for (ScoredOption o : options) {
            double v = o.get(target);
            if (!Double.isNaN(v) && !(v >= lowest)) {
                lowest = v;
            }
        }
        double l = limit.doubleValue();
        if (lowest > l) {
            risks.add(new Risk(
                    type,
                    SlaRiskSeverity.CRITICAL,
                    String.format(
                            Locale.ROOT, "every option exceeds the %s limit (best %.3g > %.3g)", metric, lowest, l),
                    metric,
                    lowest,
                    l));
            levels.put(type, lowest / l);
        } else if (best != null) {
            double v = best.get(target);
            if (v > RISK_MARGIN * l) {
                risks.add(new Risk(
                        type,
                        SlaRiskSeverity.WARNING,
                        "the recommended migration uses " + DecimalText.fixed(100.0 * v / l, 0) + "% of the " + metric
                                + " limit",
                        metric,
                        v,
                        l));
            }
            // Just above the WARNING threshold counts as 1: the threshold is RISK_MARGIN of the limit.
            levels.put(type, v / (RISK_MARGIN * l));
        }
    }
}
