package io.lmadvisor.agent;

import java.time.Instant;

/**
 * Something that measures VMs and hosts once per tick (procfs, qmp, a simulated fleet). The agent's
 * loop calls {@link #sample} once a second; a source never throws for one bad VM, it reports it to the
 * sink and goes on.
 */
public interface SampleSource extends AutoCloseable {
    /** Short name written into {@code VmSample.source}, e.g. {@code procfs}. */
    String name();

    /** Measures every VM and host as of wall-clock instant {@code at}. */
    void sample(Instant at, SampleSink sink);

    @Override
    default void close() {}
}
