package io.lmadvisor.streams.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.VmSample;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The window carries its latest sample's dirty-rate method, through the state serde; state in the old hand-written format is refused. */
class ProfileDirtyRateMethodTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    private static VmSample sample(int second, DirtyRateMethod method) {
        return VmSample.newBuilder()
                .setVmId("vm")
                .setHostId("h")
                .setTimestamp(T0.plusSeconds(second))
                .setMemorySizeMb(512)
                .setVmSizeMb(330)
                .setDirtiedPagesPerSec(100)
                .setCpuUtilPercent(10)
                .setDirtyRateMethod(method)
                .build();
    }

    @Test
    void latestSampleInEventTimeWinsAndSurvivesTheStateSerde() {
        VmSampleAggregator agg = new VmSampleAggregator();
        ProfileAccumulator acc = new ProfileAccumulator();
        agg.apply("vm", sample(1, DirtyRateMethod.PAGE_SAMPLING), acc);
        agg.apply("vm", sample(3, DirtyRateMethod.COMBINED), acc);
        agg.apply("vm", sample(2, DirtyRateMethod.QMP_CALC_DIRTY_RATE), acc); // out of order: not the latest
        assertEquals(DirtyRateMethod.COMBINED, acc.lastDirtyRateMethod);

        assertEquals(DirtyRateMethod.COMBINED, roundTrip(acc).lastDirtyRateMethod);

        agg.apply("vm", sample(4, null), acc);
        assertNull(roundTrip(acc).lastDirtyRateMethod, "a sample that did not say");
    }

    /** The accumulator through its store's serde, as the only open window of a VM. */
    private static ProfileAccumulator roundTrip(ProfileAccumulator acc) {
        Serde<VmWindowState> serde = VmWindowState.serde();
        VmWindowState s = new VmWindowState();
        s.open.put(T0.toEpochMilli(), acc);
        VmWindowState back =
                serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
        assertEquals(1, back.open.size());
        ProfileAccumulator a = back.open.get(T0.toEpochMilli());
        assertEquals(acc.sampleCount, a.sampleCount);
        assertEquals(acc.lastVmSizeMb, a.lastVmSizeMb, 0.0);
        assertEquals(acc.sumDirtyPagesPerSec, a.sumDirtyPagesPerSec, 0.0);
        assertEquals(acc.changedPageEntropy.mean(), a.changedPageEntropy.mean());
        return a;
    }

    @Test
    void stateInTheHandWrittenFormatIsRefusedWithTheWayOut() {
        // Version byte 1, as the hand-written serde wrote before state became Avro.
        byte[] old = {1, 0, 0, 0, 0, 0, 0, 0, 0};
        SerializationException e = assertThrows(
                SerializationException.class,
                () -> VmWindowState.serde().deserializer().deserialize("app-vm-windows-changelog", old));
        assertTrue(e.getMessage().contains("reset the application's state"), e.getMessage());
        assertTrue(e.getMessage().contains("app-vm-windows-changelog"), e.getMessage());
    }
}
