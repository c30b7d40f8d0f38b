package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.model.Algorithm;

/** The model's algorithm and the public schema's, mapped by name (never by position): the advisor's one mapping. */
public final class Algorithms {
    private Algorithms() {}

    public static Algorithm toModel(MigrationAlgorithm a) {
        // Both enums spell the CSAP capability codes alike; a name missing on one side fails here, loudly.
        return Algorithm.valueOf(a.name());
    }

    public static MigrationAlgorithm toAvro(Algorithm a) {
        return MigrationAlgorithm.valueOf(a.name());
    }
}
