package io.lmadvisor.agent.qmp;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.SampleSource;
import io.lmadvisor.agent.host.HostSampler;
import java.time.Instant;

/**
 * The {@code agent qmp} source: VM samples from QMP, and this host's samples from /proc as the
 * procfs source takes them, so the advisor sees the host's headroom beside its VMs.
 */
public final class QmpHostSource implements SampleSource {
    private final HostSampler host;
    private final QmpSource vms;

    public QmpHostSource(HostSampler host, QmpSource vms) {
        this.host = host;
        this.vms = vms;
    }

    @Override
    public String name() {
        return vms.name();
    }

    @Override
    public void sample(Instant at, SampleSink sink) {
        host.sample(at, sink);
        vms.sample(at, sink);
    }

    @Override
    public void close() {
        vms.close();
    }
}
