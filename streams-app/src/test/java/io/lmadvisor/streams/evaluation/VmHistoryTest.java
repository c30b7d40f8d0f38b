package io.lmadvisor.streams.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VmHistoryTest {
    private static final String SCOPE = "vm-history-test";
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.drop(SCOPE);
    }

    private static VmProfile profile(int windowEndS) {
        return VmProfile.newBuilder()
                .setVmId("vm")
                .setHostId("h")
                .setWindowStart(T0.plusSeconds(windowEndS - 20))
                .setWindowEnd(T0.plusSeconds(windowEndS))
                .setSampleCount(20)
                .setVmSizeMb(1024)
                .setPdrPagesPerSec(10)
                .setWssPages(100)
                .setCpuUtilPercent(5)
                .setLateSampleCount(0)
                .build();
    }

    private static MigrationRecommendation advice(int windowEndS) {
        return MigrationRecommendation.newBuilder()
                .setVmId("vm")
                .setSourceHostId("h")
                .setProfileWindowEnd(T0.plusSeconds(windowEndS))
                .setCreatedAt(T0.plusSeconds(windowEndS + 5))
                .setBandwidthMBps(100)
                .setModelVersion("m")
                .setReason("a long reason")
                .build();
    }

    @Test
    void keepsTheLatestWindowsInOrderWhicheverPartArrivesFirst() {
        VmHistory h = new VmHistory();
        h.putRecommendation(advice(40));
        for (int end = 20 * (VmHistory.MAX_WINDOWS + 5); end >= 20; end -= 20) {
            h.putProfile(profile(end));
        }
        List<VmHistory.Entry> entries = h.entries();
        assertEquals(VmHistory.MAX_WINDOWS, entries.size());
        assertEquals(20L * 6 * 1000, entries.get(0).windowEndMs() - T0.toEpochMilli(), "the five oldest dropped");
        h.putRecommendation(advice(200));
        VmHistory.Entry e = h.currentAt(T0.plusSeconds(210).toEpochMilli());
        assertEquals(T0.plusSeconds(200), e.profile().getWindowEnd());
        assertEquals("", e.recommendation().getReason(), "stored slim");
        assertNull(h.currentAt(T0.plusSeconds(100).toEpochMilli()), "nothing that old is kept");
    }

    @Test
    void serdeRoundTrips() {
        SchemaRegistry registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
        Serde<VmHistory> serde = VmHistory.serde(
                AvroSerdes.of(VmProfile.class, registry, false),
                AvroSerdes.of(MigrationRecommendation.class, registry, false),
                Topics.VM_PROFILES,
                Topics.MIGRATION_RECOMMENDATIONS);
        VmHistory h = new VmHistory();
        h.putProfile(profile(20));
        h.putRecommendation(advice(40));
        byte[] bytes = serde.serializer().serialize("t", h);
        VmHistory back = serde.deserializer().deserialize("t", bytes);
        // Written again from the parts' kept bytes, before and after one more window: the same format.
        assertArrayEquals(
                bytes, serde.serializer().serialize("t", serde.deserializer().deserialize("t", bytes)));
        assertEquals(h.entries(), back.entries());
        back.putProfile(profile(40));
        h.putProfile(profile(40));
        assertArrayEquals(
                serde.serializer().serialize("t", h), serde.serializer().serialize("t", back));
    }
}
