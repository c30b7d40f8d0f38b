package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.deadletter.InputChecks;
import io.lmadvisor.streams.recommend.Algorithms;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.Predictor;
import io.lmadvisor.streams.risk.RiskRules;
import java.util.Arrays;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Joins an outcome with the advice current when the migration started ({@link VmHistory#currentAt}).
 * The prediction is the recommendation's own when it covers the destination and bandwidth actually
 * used; otherwise (an off-policy run elsewhere or at another speed) the current model rescores the
 * profile for what was actually done, so the evaluation judges the model on what happened, not on
 * advice nobody followed. Outcomes with no profile before their start are counted and dropped; tombstones
 * and outcomes not keyed by their vmId are dead-lettered.
 */
final class OutcomeMatcher implements Processor<String, MigrationOutcome, String, MatchedOutcome> {
    /** Bandwidths closer than this, MB/s, count as the one the recommendation assumed. */
    private static final double SAME_BANDWIDTH_MBPS = 1e-6;

    private final Supplier<? extends Predictor> model;
    private final AdvisorMetrics metrics;
    private ProcessorContext<String, MatchedOutcome> context;
    private KeyValueStore<String, VmHistory.Entry> histories;
    private KeyValueStore<String, HostSample> hosts;

    OutcomeMatcher(Supplier<? extends Predictor> model, AdvisorMetrics metrics) {
        this.model = model;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, MatchedOutcome> context) {
        this.context = context;
        histories = context.getStateStore(EvaluationTopology.HISTORY_STORE);
        hosts = context.getStateStore(AdvisorTopology.HOST_STORE);
    }

    @Override
    public void process(Record<String, MigrationOutcome> record) {
        MigrationOutcome o = InputChecks.requireValue(record.value());
        InputChecks.requireKeyMatches(record.key(), o.getVmId(), "vmId");
        metrics.outcomes.increment();
        VmHistory.Entry current = HistoryWindows.read(histories, o.getVmId())
                .currentAt(o.getStartTime().toEpochMilli());
        if (current == null || current.profile() == null) {
            metrics.outcomesUnmatched.increment();
            return;
        }
        Algorithm algorithm = Algorithms.toModel(o.getAlgorithm());
        HostState destination = destination(o);
        Predictor predictor = model.get();
        AlgorithmPrediction followed = predictionFollowed(current.recommendation(), o);
        double[] predicted;
        String version;
        if (followed != null) {
            predicted = Figures.predicted(followed);
            version = current.recommendation().getModelVersion();
        } else {
            predicted = predictor.predict(current.profile(), destination, o.getBandwidthMBps(), algorithm);
            version = predictor.modelVersion();
            metrics.outcomesRescored.increment();
        }
        double[] validation = new double[Target.values().length];
        Arrays.fill(validation, Double.NaN);
        if (version.equals(predictor.modelVersion())) {
            for (Target t : Target.values()) {
                validation[t.ordinal()] = predictor.validationGmre(algorithm, t);
            }
        }
        // Only pre-copy outcomes count towards the risk's precision and recall; their predicted TT is pre-copy's.
        boolean riskPredicted = RiskRules.precopyAtRisk(
                current.profile(),
                o.getBandwidthMBps(),
                algorithm == Algorithm.PRECOPY ? predicted[Target.TT.ordinal()] : Double.NaN);
        context.forward(record.withValue(new MatchedOutcome(
                o, current.profile(), destination, predicted, version, validation, followed == null, riskPredicted)));
    }

    /** The recommendation's prediction for the algorithm used, if it was made for this destination and bandwidth. */
    private static AlgorithmPrediction predictionFollowed(MigrationRecommendation rec, MigrationOutcome o) {
        if (rec == null
                || !o.getDestinationHostId().equals(rec.getDestinationHostId())
                || Math.abs(rec.getBandwidthMBps() - o.getBandwidthMBps()) > SAME_BANDWIDTH_MBPS) {
            return null;
        }
        for (AlgorithmPrediction p : rec.getPredictions()) {
            if (p.getAlgorithm() == o.getAlgorithm()) {
                return p;
            }
        }
        return null;
    }

    private HostState destination(MigrationOutcome o) {
        HostSample h = hosts.get(o.getDestinationHostId());
        return h != null ? HostState.of(h) : HostState.unknown(o.getDestinationHostId(), o.getBandwidthMBps());
    }
}
