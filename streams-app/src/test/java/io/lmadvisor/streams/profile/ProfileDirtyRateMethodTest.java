package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.VmSample;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The window carries its latest sample's dirty-rate method, through the state serde and from older state. */
class ProfileDirtyRateMethodTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  private static VmSample sample(int second, DirtyRateMethod method) {
    return VmSample.newBuilder().setVmId("vm").setHostId("h").setTimestamp(T0.plusSeconds(second))
        .setMemorySizeMb(512).setVmSizeMb(330).setDirtiedPagesPerSec(100).setCpuUtilPercent(10)
        .setDirtyRateMethod(method).build();
  }

  @Test
  void latestSampleInEventTimeWinsAndSurvivesTheStateSerde() {
    VmSampleAggregator agg = new VmSampleAggregator();
    ProfileAccumulator acc = new ProfileAccumulator();
    agg.apply("vm", sample(1, DirtyRateMethod.PAGE_SAMPLING), acc);
    agg.apply("vm", sample(3, DirtyRateMethod.COMBINED), acc);
    agg.apply("vm", sample(2, DirtyRateMethod.QMP_CALC_DIRTY_RATE), acc); // out of order: not the latest
    assertEquals(DirtyRateMethod.COMBINED, acc.lastDirtyRateMethod);

    ProfileAccumulatorSerde serde = new ProfileAccumulatorSerde();
    byte[] bytes = serde.serializer().serialize("t", acc);
    assertEquals(DirtyRateMethod.COMBINED, serde.deserializer().deserialize("t", bytes).lastDirtyRateMethod);

    agg.apply("vm", sample(4, null), acc);
    bytes = serde.serializer().serialize("t", acc);
    assertNull(serde.deserializer().deserialize("t", bytes).lastDirtyRateMethod, "a sample that did not say");
  }

  @Test
  void stateWrittenBeforeTheMethodExistedStillReads() {
    ProfileAccumulator acc = new ProfileAccumulator();
    new VmSampleAggregator().apply("vm", sample(1, DirtyRateMethod.PAGE_SAMPLING), acc);
    ProfileAccumulatorSerde serde = new ProfileAccumulatorSerde();
    byte[] bytes = serde.serializer().serialize("t", acc);
    byte[] old = Arrays.copyOf(bytes, bytes.length - 1); // the format without the trailing method byte
    ProfileAccumulator back = serde.deserializer().deserialize("t", old);
    assertNull(back.lastDirtyRateMethod);
    assertEquals(330.0, back.lastVmSizeMb, 1e-9);
    assertEquals(1, back.sampleCount);
  }
}
