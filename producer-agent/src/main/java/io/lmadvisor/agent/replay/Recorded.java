package io.lmadvisor.agent.replay;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import org.apache.avro.specific.SpecificRecord;

/**
 * One recorded sample (a {@link VmSample} or {@link HostSample}) and its event time, or, when
 * {@code problem} is set, an input record that could not be read (counted, then skipped).
 */
record Recorded(SpecificRecord value, long timestampMs, String problem) {
    static Recorded of(SpecificRecord value) {
        if (value instanceof VmSample v) {
            return new Recorded(v, v.getTimestamp().toEpochMilli(), null);
        }
        if (value instanceof HostSample h) {
            return new Recorded(h, h.getTimestamp().toEpochMilli(), null);
        }
        return bad("not a VmSample or HostSample: " + value.getSchema().getFullName());
    }

    static Recorded bad(String problem) {
        return new Recorded(null, Long.MIN_VALUE, problem);
    }
}
