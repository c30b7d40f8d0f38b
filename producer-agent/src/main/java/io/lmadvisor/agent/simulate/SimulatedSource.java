package io.lmadvisor.agent.simulate;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.agent.SampleSource;
import java.time.Instant;

/** The {@code simulate} source: a {@link SimpleFleet} behind the agent's source interface. */
public final class SimulatedSource implements SampleSource {
    private final SimpleFleet fleet;

    public SimulatedSource(int hosts, int vms, long seed) {
        this.fleet = new SimpleFleet(hosts, vms, seed);
    }

    @Override
    public String name() {
        return "simulate";
    }

    @Override
    public void sample(Instant at, SampleSink sink) {
        fleet.hostSamples(at).forEach(sink::host);
        fleet.vmSamples(at).forEach(sink::vm);
    }
}
