package io.lmadvisor.streams.backtest;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.eval.EvaluationReport;
import io.lmadvisor.model.eval.Evaluator;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.streams.evaluation.TrainingRows;
import io.lmadvisor.streams.recommend.Algorithms;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.SlaPolicies;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a backtest found: the model's accuracy on the recorded migrations, and how its choices compare
 * with what was done. Pure: the same records give the same report.
 *
 * <p>Accuracy: each recorded outcome is paired with the VM's latest replayed profile that ended at or
 * before the migration started, and rescored for the algorithm, destination and bandwidth actually used.
 * Comparison: the replayed recommendation current at the start is set against the recorded outcome. A
 * different choice was never run, so its figures are the model's predictions: avoided and introduced SLA
 * violations, and time and data saved, are estimates, and are labelled so.
 *
 * @param evaluation          per (algorithm, metric) errors of completed migrations, as {@code model evaluate}
 * @param outcomes            recorded outcomes that started in the range
 * @param withoutProfile      of those, how many had no replayed profile before their start
 * @param agreed              replayed advice chose the algorithm that was used
 * @param differed            replayed advice chose another algorithm
 * @param heldBack            replayed advice chose no migration (no destination, or nothing meets the SLA)
 * @param recordedViolations  recorded outcomes that broke their SLA (non-converged and failed count)
 * @param violationsAvoided   of the differing choices, recorded violations whose alternative is predicted to comply
 * @param violationsIntroduced of the differing choices, compliant recorded outcomes whose alternative is predicted to violate
 * @param totalTimeSavedMs    recorded minus predicted total time over the differing choices (negative: slower)
 * @param transferredBytesSaved recorded minus predicted bytes over the differing choices
 */
public record BacktestReport(
        EvaluationReport evaluation,
        int outcomes,
        int withoutProfile,
        int agreed,
        int differed,
        int heldBack,
        int recordedViolations,
        int violationsAvoided,
        int violationsIntroduced,
        double totalTimeSavedMs,
        double transferredBytesSaved) {

    /**
     * @param modelName       first column of the evaluation CSV
     * @param profiles        the replay's profiles
     * @param recommendations the replay's recommendations
     * @param outcomes        recorded outcomes whose start lies in the replayed range
     * @param hostSamples     recorded host samples, for the destination's headroom at the start
     * @param policies        SLA policies by vmId (and {@code default})
     */
    public static BacktestReport compute(
            String modelName,
            MigrationModel model,
            List<VmProfile> profiles,
            List<MigrationRecommendation> recommendations,
            List<MigrationOutcome> outcomes,
            List<HostSample> hostSamples,
            Map<String, SlaPolicy> policies) {
        Map<String, NavigableMap<Long, VmProfile>> profileByVm = new HashMap<>();
        for (VmProfile p : profiles) {
            profileByVm
                    .computeIfAbsent(p.getVmId(), k -> new TreeMap<>())
                    .put(p.getWindowEnd().toEpochMilli(), p);
        }
        Map<String, NavigableMap<Long, MigrationRecommendation>> adviceByVm = new HashMap<>();
        for (MigrationRecommendation r : recommendations) {
            adviceByVm
                    .computeIfAbsent(r.getVmId(), k -> new TreeMap<>())
                    .put(r.getProfileWindowEnd().toEpochMilli(), r);
        }
        Map<String, NavigableMap<Long, HostSample>> hostById = new HashMap<>();
        for (HostSample h : hostSamples) {
            hostById.computeIfAbsent(h.getHostId(), k -> new TreeMap<>())
                    .put(h.getTimestamp().toEpochMilli(), h);
        }
        List<MigrationOutcome> sorted = new ArrayList<>(outcomes);
        sorted.sort(Comparator.comparing(MigrationOutcome::getStartTime).thenComparing(o -> o.getMigrationId()));

        List<MigrationRecord> rows = new ArrayList<>();
        int withoutProfile = 0;
        int agreed = 0;
        int differed = 0;
        int heldBack = 0;
        int recordedViolations = 0;
        int avoided = 0;
        int introduced = 0;
        double timeSavedMs = 0;
        double bytesSaved = 0;
        for (MigrationOutcome o : sorted) {
            long startMs = o.getStartTime().toEpochMilli();
            String vmId = o.getVmId();
            VmProfile profile = floor(profileByVm.get(vmId), startMs);
            if (profile == null) {
                withoutProfile++;
                continue;
            }
            if (o.getStatus() == MigrationStatus.COMPLETED) {
                HostSample dst = floor(hostById.get(o.getDestinationHostId()), startMs);
                rows.add(TrainingRows.record(
                        o,
                        Algorithms.toModel(o.getAlgorithm()),
                        profile,
                        dst != null
                                ? HostState.of(dst)
                                : HostState.unknown(o.getDestinationHostId(), o.getBandwidthMBps())));
            }
            SlaPolicy policy = SlaPolicies.forVm(vmId, policies::get);
            boolean recordedViolated = o.getStatus() != MigrationStatus.COMPLETED
                    || !SlaPolicies.violatedLimits(
                                    policy,
                                    orNaN(o.getTotalTimeMs()),
                                    orNaN(o.getDowntimeMs()),
                                    orNaN(o.getTransferredBytes()),
                                    orNaN(o.getPerformanceDegradation()))
                            .isEmpty();
            if (recordedViolated) {
                recordedViolations++;
            }
            MigrationRecommendation advice = floor(adviceByVm.get(vmId), startMs);
            if (advice == null || advice.getAlgorithm() == null) {
                heldBack++;
            } else if (advice.getAlgorithm() == o.getAlgorithm()) {
                agreed++;
            } else {
                differed++;
                AlgorithmPrediction alt = advice.getPredictions().stream()
                        .filter(p -> p.getAlgorithm() == advice.getAlgorithm())
                        .findFirst()
                        .orElse(null);
                if (alt != null) {
                    boolean altViolates = !alt.getViolatedLimits().isEmpty();
                    if (recordedViolated && !altViolates) {
                        avoided++;
                    } else if (!recordedViolated && altViolates) {
                        introduced++;
                    }
                    if (o.getTotalTimeMs() != null && Double.isFinite(alt.getTotalTimeMs())) {
                        timeSavedMs += o.getTotalTimeMs() - alt.getTotalTimeMs();
                    }
                    if (o.getTransferredBytes() != null && Double.isFinite(alt.getTransferredBytes())) {
                        bytesSaved += o.getTransferredBytes() - alt.getTransferredBytes();
                    }
                }
            }
        }
        EvaluationReport evaluation = Evaluator.evaluate(modelName, model, rows);
        return new BacktestReport(
                evaluation,
                sorted.size(),
                withoutProfile,
                agreed,
                differed,
                heldBack,
                recordedViolations,
                avoided,
                introduced,
                timeSavedMs,
                bytesSaved);
    }

    private static <T> T floor(NavigableMap<Long, T> byTime, long atMs) {
        if (byTime == null) {
            return null;
        }
        Map.Entry<Long, T> e = byTime.floorEntry(atMs);
        return e == null ? null : e.getValue();
    }

    private static double orNaN(Number n) {
        return n == null ? Double.NaN : n.doubleValue();
    }

    /** The comparison as human lines; every model-estimated figure says so. */
    public String comparisonText() {
        return String.format(
                Locale.ROOT,
                "recorded migrations in range: %d (%d without a replayed profile before their start)%n"
                        + "replayed advice: agreed %d, chose another algorithm %d, held back %d%n"
                        + "recorded SLA violations: %d; with the replayed choices (model-estimated): avoided %d, introduced %d%n"
                        + "over the differing choices (model-estimated): total migration time saved %.1f s, data saved %.1f MB%n",
                outcomes,
                withoutProfile,
                agreed,
                differed,
                heldBack,
                recordedViolations,
                violationsAvoided,
                violationsIntroduced,
                totalTimeSavedMs / 1000.0,
                Units.mibOfBytes(transferredBytesSaved));
    }
}
