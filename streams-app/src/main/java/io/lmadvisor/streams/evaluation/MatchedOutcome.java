package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.streams.recommend.Algorithms;
import io.lmadvisor.streams.recommend.HostState;

/**
 * An outcome with what was predicted for it.
 *
 * @param profile            the VM's profile current at the migration's start
 * @param destination        the destination as last sampled, NaN headroom when never sampled
 * @param predicted          the used algorithm's six figures, by {@code Target.ordinal()}; NaN = not predicted
 * @param modelVersion       the model that made {@code predicted}
 * @param validationGmre     that model's hold-out gMRE per target, NaN when unknown
 * @param rescored           true when the recommendation did not cover the destination or bandwidth used,
 *                           so the model scored them afresh
 * @param precopyRiskPredicted whether PRECOPY_NON_CONVERGENT applied at the bandwidth used
 */
public record MatchedOutcome(
        MigrationOutcome outcome,
        VmProfile profile,
        HostState destination,
        double[] predicted,
        String modelVersion,
        double[] validationGmre,
        boolean rescored,
        boolean precopyRiskPredicted) {
    public Algorithm algorithm() {
        return Algorithms.toModel(outcome.getAlgorithm());
    }
}
