package io.lmadvisor.agent;

/** A source that runs out, such as a replay: the agent stops once it is exhausted. */
public interface FiniteSource extends SampleSource {
    /** True once every sample has been handed to a sink. */
    boolean exhausted();
}
