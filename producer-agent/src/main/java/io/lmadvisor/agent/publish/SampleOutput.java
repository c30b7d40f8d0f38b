package io.lmadvisor.agent.publish;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;

/** Where the agent's samples go: Kafka (with the spool) or JSON lines for {@code --dry-run}. */
public interface SampleOutput extends AutoCloseable {
    void vm(VmSample sample);

    void host(HostSample sample);

    /** End of one tick: what was collected goes out as one batch. */
    default void endTick() {}

    /** Flushes and releases; nothing accepted is lost (sent, or left in the spool). */
    @Override
    void close();
}
