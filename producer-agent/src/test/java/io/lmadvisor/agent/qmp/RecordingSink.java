package io.lmadvisor.agent.qmp;

import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.util.ArrayList;
import java.util.List;

/** What one {@code sample()} call reported; the qmp source must never emit host samples. */
final class RecordingSink implements SampleSink {
    final List<VmSample> vms = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    @Override
    public void vm(VmSample s) {
        vms.add(s);
    }

    @Override
    public void host(HostSample s) {
        throw new AssertionError("the qmp source emits no host samples");
    }

    @Override
    public void problem(String subject, String reason) {
        problems.add(subject + ": " + reason);
    }
}
