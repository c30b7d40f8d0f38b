package io.lmadvisor.simulator.migration;

/** How a simulated migration ended. */
public enum MigrationStatus {
    /** Pre-copy reached the downtime limit, or post-copy switched over. */
    CONVERGED,
    /**
     * Pre-copy did not reach the downtime limit before the timeout and was forced into
     * stop-and-copy: all targets are still produced, DT is then usually far above the limit.
     */
    NON_CONVERGED
}
