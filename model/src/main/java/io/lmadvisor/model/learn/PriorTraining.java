package io.lmadvisor.model.learn;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.features.FeatureSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bundled prior: one model over {@link FeatureSchema#full()} trained on real migrations that have
 * only some features (the public CSAP subset: size, dirty rate, bandwidth) mixed with simulated ones
 * that have all of them. A real row's absent features take XGBoost's missing-value branch, so the
 * trees learn the real rows' outcomes for inputs that look like the subset's, and the simulator's
 * for full-feature inputs; missingness itself marks the source, no indicator feature is needed.
 */
public final class PriorTraining {
    private PriorTraining() {
    }

    /**
     * Where a prior's data came from; {@link #describe()} is stored as the artifact's training
     * fingerprint, so {@code model explain} names both sources.
     *
     * @param realFingerprint SHA-256 of the real training rows ({@link DatasetFingerprint#of})
     * @param realHoldout     fraction of the real file held out by id hash (not trained on)
     * @param simFingerprint  SHA-256 of the simulated training rows
     */
    public record Provenance(String realFingerprint, int realRows, double realHoldout,
                             long simSeed, long simRowsGenerated, int simRows, String simFingerprint) {
        public String describe() {
            return String.format(Locale.ROOT,
                    "prior: csap-subset sha256:%s (%d rows, train side of the %.2f id-hash hold-out)"
                            + " + simulator csap512 seed %d, %d rows generated, %d trained on (sha256:%s)",
                    realFingerprint, realRows, realHoldout, simSeed, simRowsGenerated, simRows, simFingerprint);
        }

        public static Provenance of(List<MigrationRecord> real, double realHoldout, long simSeed,
                                    long simRowsGenerated, List<MigrationRecord> sim) {
            return new Provenance(DatasetFingerprint.of(real), real.size(), realHoldout, simSeed, simRowsGenerated,
                    sim.size(), DatasetFingerprint.of(sim));
        }
    }

    /** Trains {@code learner} on the real and simulated rows together over the full schema. */
    public static MigrationModel train(Learner learner, List<MigrationRecord> real, List<MigrationRecord> sim,
                                       long seed, Learner.Progress progress) {
        List<MigrationRecord> all = new ArrayList<>(real.size() + sim.size());
        all.addAll(real);
        all.addAll(sim);
        return learner.train(all, FeatureSchema.full(), seed, progress);
    }
}
