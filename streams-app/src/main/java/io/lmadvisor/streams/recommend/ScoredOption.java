package io.lmadvisor.streams.recommend;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;

import java.util.ArrayList;
import java.util.List;

/** One scored (destination, algorithm) option. */
final class ScoredOption {
    final HostState destination;
    final Algorithm algorithm;
    final double bandwidthMBps;
    /** Whether this option uses the link's whole available bandwidth (the top of the ladder). */
    final boolean fullLink;
    final double[] predicted = new double[Target.values().length];
    final List<String> violated = new ArrayList<>(2);
    /** Limits whose figure the model does not predict: neither met nor violated. */
    final List<String> unknown = new ArrayList<>(1);
    double excess;

    ScoredOption(HostState destination, Algorithm algorithm, double bandwidthMBps, boolean fullLink) {
        this.destination = destination;
        this.algorithm = algorithm;
        this.bandwidthMBps = bandwidthMBps;
        this.fullLink = fullLink;
    }

    double get(Target t) {
        return predicted[t.ordinal()];
    }

    boolean feasible() {
        return violated.isEmpty();
    }
}
