package io.lmadvisor.streams.recommend;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import java.util.ArrayList;
import java.util.List;

/** One scored (destination, algorithm, bandwidth) option, judged against the SLA. */
public final class ScoredOption {
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

    /** The destination, or null for an option scored only to name the closest when no host has room. */
    public HostState destination() {
        return destination;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public double bandwidthMBps() {
        return bandwidthMBps;
    }

    public boolean fullLink() {
        return fullLink;
    }

    /** How far over its limits the option is: the sum of each violated figure's share over 1. */
    public double excess() {
        return excess;
    }

    /** Names of the limits it violates, in {@link SlaJudge}'s order. */
    public List<String> violated() {
        return violated;
    }

    public double get(Target t) {
        return predicted[t.ordinal()];
    }

    public boolean feasible() {
        return violated.isEmpty();
    }
}
