package io.lmadvisor.model.learn;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The accuracy floor ({@code analytic}): the geometric-series pre-copy model at the record's PTR
 * (capped at the link) with a 300 ms downtime limit. Nothing is fitted; the records only decide which
 * algorithms the model answers for, and the same pre-copy figure is given for every algorithm.
 */
public final class AnalyticLearner implements Learner {
    public static final String NAME = "analytic";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AnalyticModel train(List<MigrationRecord> records, FeatureSchema schema, long seed, Progress progress) {
        Set<Algorithm> algorithms = TrainingSet.algorithms(records);
        if (algorithms.isEmpty()) {
            algorithms = EnumSet.allOf(Algorithm.class);
        }
        progress.report("analytic: no training; algorithms " + algorithms);
        return new AnalyticModel(schema.linkSpeedMBps(), schema.vmVcpus(), algorithms);
    }
}
