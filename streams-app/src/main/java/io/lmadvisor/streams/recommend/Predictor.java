package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;

/** What the online evaluation needs of the model: its figures for any migration, and its own hold-out errors. */
public interface Predictor {
    String modelVersion();

    /**
     * The six predicted figures, indexed by {@link Target#ordinal()}, of migrating {@code profile}'s VM with
     * {@code algorithm} to {@code destination} at {@code bandwidthMBps}: any destination and bandwidth, not only
     * those a recommendation chose.
     */
    double[] predict(VmProfile profile, HostState destination, double bandwidthMBps, Algorithm algorithm);

    /** The model's own hold-out gMRE for a cell, or NaN when its file records none. */
    double validationGmre(Algorithm algorithm, Target target);
}
