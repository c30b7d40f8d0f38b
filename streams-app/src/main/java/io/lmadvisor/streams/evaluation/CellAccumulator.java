package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.state.CellEntry;
import io.lmadvisor.model.eval.ErrorMetrics;
import io.lmadvisor.streams.recommend.Algorithms;
import io.lmadvisor.streams.state.StateSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * One cell's figures: the rolling window of its latest outcomes, ordered by migration end time (not
 * arrival, so the figures do not depend on how partitions interleave), and running sums since start.
 * A migration id already in the window is a redelivery and is ignored.
 */
public final class CellAccumulator {
    /** One outcome in the window: a relative error, or the risk's predicted/happened pair. */
    record Entry(
            long endTimeMs, String migrationId, double relativeError, boolean riskPredicted, boolean riskHappened) {}

    private static final Comparator<Entry> ORDER =
            Comparator.comparingLong(Entry::endTimeMs).thenComparing(Entry::migrationId);

    final List<Entry> window = new ArrayList<>();
    long sinceStartN;
    long sinceStartNonZeroN;
    double sinceStartLogSum;
    long riskPredictedN;
    long riskHappenedN;
    long riskHitN;
    String modelVersion = "";
    double validationGmre = Double.NaN;
    long updatedAtMs = Long.MIN_VALUE;
    boolean driftOpen;

    /** Adds an outcome; false when it is a redelivery of one in the window. */
    boolean add(OutcomeError e, int windowOutcomes) {
        Entry entry = new Entry(e.endTimeMs(), e.migrationId(), e.relativeError(), e.riskPredicted(), e.riskHappened());
        for (Entry w : window) {
            if (w.migrationId().equals(e.migrationId())) {
                return false;
            }
        }
        int at = 0;
        while (at < window.size() && ORDER.compare(window.get(at), entry) < 0) {
            at++;
        }
        window.add(at, entry);
        while (window.size() > windowOutcomes) {
            window.remove(0);
        }
        sinceStartN++;
        if (e.relativeError() != 0 && !Double.isNaN(e.relativeError())) {
            sinceStartNonZeroN++;
            sinceStartLogSum += Math.log(e.relativeError());
        }
        if (e.riskPredicted()) {
            riskPredictedN++;
        }
        if (e.riskHappened()) {
            riskHappenedN++;
        }
        if (e.riskPredicted() && e.riskHappened()) {
            riskHitN++;
        }
        // The latest outcome by event time names the model; a later arrival of an older one does not.
        if (e.endTimeMs() >= updatedAtMs) {
            updatedAtMs = e.endTimeMs();
            modelVersion = e.modelVersion();
            if (!Double.isNaN(e.validationGmre())) {
                validationGmre = e.validationGmre();
            }
        }
        return true;
    }

    /** The window's relative errors, sorted. */
    double[] sortedWindowErrors() {
        double[] re = new double[window.size()];
        for (int i = 0; i < re.length; i++) {
            re[i] = window.get(i).relativeError();
        }
        Arrays.sort(re);
        return re;
    }

    double windowGmre() {
        return ErrorMetrics.geometricMeanOfNonZero(sortedWindowErrors());
    }

    double sinceStartGmre() {
        return sinceStartNonZeroN == 0 ? Double.NaN : Math.exp(sinceStartLogSum / sinceStartNonZeroN);
    }

    public PredictionEvaluation toEvaluation(String cell) {
        PredictionEvaluation.Builder b = PredictionEvaluation.newBuilder()
                .setAlgorithm(Algorithms.toAvro(Cells.algorithm(cell)))
                .setMetric(Cells.metric(cell))
                .setWindowN(window.size())
                .setSinceStartN(sinceStartN)
                .setModelVersion(modelVersion)
                .setValidationGmre(orNull(validationGmre))
                .setUpdatedAt(Instant.ofEpochMilli(updatedAtMs));
        if (Cells.isRisk(cell)) {
            b.setRiskPredictedN(riskPredictedN)
                    .setRiskHappenedN(riskHappenedN)
                    .setRiskHitN(riskHitN)
                    .setRiskPrecision(riskPredictedN == 0 ? null : (double) riskHitN / riskPredictedN)
                    .setRiskRecall(riskHappenedN == 0 ? null : (double) riskHitN / riskHappenedN);
        } else {
            double[] sorted = sortedWindowErrors();
            b.setWindowGmre(orNull(ErrorMetrics.geometricMeanOfNonZero(sorted)))
                    .setWindowMedianRe(orNull(ErrorMetrics.percentile(sorted, 0.5)))
                    .setWindowP90Re(orNull(ErrorMetrics.percentile(sorted, 0.9)))
                    .setSinceStartGmre(orNull(sinceStartGmre()));
        }
        return b.build();
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** The store's format: Avro {@code io.lmadvisor.avro.state.CellAccumulator}. */
    static Serde<CellAccumulator> serde() {
        return StateSerde.of(
                io.lmadvisor.avro.state.CellAccumulator.getClassSchema(),
                CellAccumulator::toAvro,
                CellAccumulator::fromAvro);
    }

    private static io.lmadvisor.avro.state.CellAccumulator toAvro(CellAccumulator a) {
        return new io.lmadvisor.avro.state.CellAccumulator(
                a.sinceStartN,
                a.sinceStartNonZeroN,
                a.sinceStartLogSum,
                a.riskPredictedN,
                a.riskHappenedN,
                a.riskHitN,
                a.modelVersion,
                a.validationGmre,
                a.updatedAtMs,
                a.driftOpen,
                a.window.stream()
                        .map(e -> new CellEntry(
                                e.endTimeMs(), e.migrationId(), e.relativeError(), e.riskPredicted(), e.riskHappened()))
                        .toList());
    }

    private static CellAccumulator fromAvro(io.lmadvisor.avro.state.CellAccumulator r) {
        CellAccumulator a = new CellAccumulator();
        a.sinceStartN = r.getSinceStartN();
        a.sinceStartNonZeroN = r.getSinceStartNonZeroN();
        a.sinceStartLogSum = r.getSinceStartLogSum();
        a.riskPredictedN = r.getRiskPredictedN();
        a.riskHappenedN = r.getRiskHappenedN();
        a.riskHitN = r.getRiskHitN();
        a.modelVersion = r.getModelVersion().toString();
        a.validationGmre = r.getValidationGmre();
        a.updatedAtMs = r.getUpdatedAtMs();
        a.driftOpen = r.getDriftOpen();
        for (CellEntry e : r.getWindow()) {
            a.window.add(new Entry(
                    e.getEndTimeMs(),
                    e.getMigrationId().toString(),
                    e.getRelativeError(),
                    e.getRiskPredicted(),
                    e.getRiskHappened()));
        }
        return a;
    }
}
