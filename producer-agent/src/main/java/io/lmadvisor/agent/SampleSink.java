package io.lmadvisor.agent;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;

/** Where a {@link SampleSource} puts what it measured, and what it could not measure. */
public interface SampleSink {
    void vm(VmSample sample);

    void host(HostSample sample);

    /** A VM or host that could not be measured this tick, e.g. an unreadable process; counted and logged. */
    void problem(String subject, String reason);
}
