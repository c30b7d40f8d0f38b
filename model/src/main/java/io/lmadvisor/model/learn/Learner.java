package io.lmadvisor.model.learn;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.features.FeatureSchema;
import java.util.List;

/** Trains one model per (algorithm, target) present in the records. */
public interface Learner {
    /** The {@code --learner} name. */
    String name();

    MigrationModel train(List<MigrationRecord> records, FeatureSchema schema, long seed, Progress progress);

    /** Progress for long training runs; messages are short and human. */
    @FunctionalInterface
    interface Progress {
        void report(String message);

        Progress NONE = message -> {};
    }
}
