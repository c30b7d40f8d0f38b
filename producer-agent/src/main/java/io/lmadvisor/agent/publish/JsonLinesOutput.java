package io.lmadvisor.agent.publish;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.serde.AvroJson;
import java.io.PrintStream;
import org.apache.avro.specific.SpecificRecord;

/** {@code --dry-run}: one JSON object per sample and line (Avro field names), nothing published. */
public final class JsonLinesOutput implements SampleOutput {
    private final PrintStream out;
    private final AgentCounters counters;

    public JsonLinesOutput(PrintStream out, AgentCounters counters) {
        this.out = out;
        this.counters = counters;
    }

    @Override
    public void vm(VmSample sample) {
        print(sample);
    }

    @Override
    public void host(HostSample sample) {
        print(sample);
    }

    private void print(SpecificRecord record) {
        out.println(AvroJson.write(AvroJson.toJson(record)));
        counters.sent.incrementAndGet();
    }

    @Override
    public void endTick() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
