package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.features.RawFeature;
import io.lmadvisor.streams.recommend.ProfileFeatures;

import java.util.List;

/**
 * A completed migration as one {@code csap} CSV row: the profile current at its start and the
 * destination's last sample as features, the bandwidth actually set as {@code VM_ptr}, the measured
 * figures as targets, the workload unknown. Failed and non-converged runs are left out: the CSAP
 * dataset, and so the learners, know completed migrations only.
 */
final class TrainingRows {
    static final DatasetFormat FORMAT = DatasetFormat.CSAP;

    private TrainingRows() {
    }

    static List<String> of(MatchedOutcome m) {
        MigrationOutcome o = m.outcome();
        if (o.getStatus() != MigrationStatus.COMPLETED) {
            return List.of();
        }
        double[] raw = RawFeature.emptyVector();
        ProfileFeatures.fillVm(m.profile(), raw);
        ProfileFeatures.fillDestination(m.destination(), o.getBandwidthMBps(), raw);
        MigrationRecord r = new MigrationRecord(o.getMigrationId(), 0, m.algorithm(), null, raw, Figures.measured(o));
        return List.of(CsapWriter.row(r, FORMAT));
    }
}
