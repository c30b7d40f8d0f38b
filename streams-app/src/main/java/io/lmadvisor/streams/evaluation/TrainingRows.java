package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.profile.ProfileViews;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.ProfileFeatures;
import java.util.List;

/**
 * A completed migration as one {@code csap} CSV row: the profile current at its start and the
 * destination's last sample as features, the bandwidth actually set as {@code VM_ptr}, the measured
 * figures as targets, the workload unknown. Failed and non-converged runs are left out: the CSAP
 * dataset, and so the learners, know completed migrations only.
 */
public final class TrainingRows {
    static final DatasetFormat FORMAT = DatasetFormat.CSAP;

    private TrainingRows() {}

    static List<String> of(MatchedOutcome m) {
        MigrationOutcome o = m.outcome();
        if (o.getStatus() != MigrationStatus.COMPLETED) {
            return List.of();
        }
        return List.of(CsapWriter.row(record(o, m.algorithm(), m.profile(), m.destination()), FORMAT));
    }

    /**
     * A migration as a learner's record: the profile and the destination as features, the bandwidth
     * actually set as {@code VM_ptr}, the measured figures as targets, the workload unknown.
     */
    public static MigrationRecord record(
            MigrationOutcome o, Algorithm algorithm, VmProfile profile, HostState destination) {
        double[] raw = ProfileFeatures.raw(ProfileViews.of(profile), destination, o.getBandwidthMBps());
        return new MigrationRecord(o.getMigrationId(), 0, algorithm, null, raw, Figures.measured(o));
    }
}
