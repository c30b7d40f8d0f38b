package io.lmadvisor.streams.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.state.HistoryEntry;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import io.lmadvisor.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The history's windows, and its store format: the hand-written codec writes what the generic writer wrote. */
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

    private static MigrationRecommendation fullAdvice(int windowEndS) {
        List<AlgorithmPrediction> predictions = new ArrayList<>();
        for (MigrationAlgorithm a : MigrationAlgorithm.values()) {
            predictions.add(AlgorithmPrediction.newBuilder()
                    .setAlgorithm(a)
                    .setTotalTimeMs(1000 + a.ordinal())
                    .setDowntimeMs(Double.POSITIVE_INFINITY)
                    .setTransferredBytes(1e9)
                    .setPerformanceDegradation(Double.NaN)
                    .setSourceCpuExtraPercent(3)
                    .setSourceMemExtraMb(64)
                    .setSlaVerdict(SlaVerdict.VIOLATES_SLA)
                    .setViolatedLimits(new ArrayList<>(List.of("downtimeMs", "totalTimeMs")))
                    .setUnknownLimits(new ArrayList<>(List.of("performanceDegradation")))
                    .build());
        }
        return MigrationRecommendation.newBuilder()
                .setVmId("vm")
                .setSourceHostId("h")
                .setProfileWindowEnd(T0.plusSeconds(windowEndS))
                .setCreatedAt(T0.plusSeconds(windowEndS + 5))
                .setDestinationHostId("h2")
                .setAlgorithm(MigrationAlgorithm.PRECOPY)
                .setBandwidthMBps(100)
                .setSettings(MigrationSettingsFactory.settingsFor(Algorithm.PRECOPY, 100, 300, 4096, 1024, 30_000))
                .setPredictions(predictions)
                .setModelVersion("m")
                .setReason("a long reason")
                .build();
    }

    /** What {@link VmHistory#putRecommendation} kept before the shallow copy: built with the builders. */
    private static MigrationRecommendation slimByBuilders(MigrationRecommendation r) {
        return MigrationRecommendation.newBuilder(r)
                .setSettings(null)
                .setReason("")
                .setPredictions(r.getPredictions().stream()
                        .map(p -> AlgorithmPrediction.newBuilder(p)
                                .setViolatedLimits(List.of())
                                .build())
                        .toList())
                .build();
    }

    /** Histories from empty to more than full, with either part missing in some windows. */
    private static List<VmHistory> histories() {
        List<VmHistory> out = new ArrayList<>();
        out.add(new VmHistory());
        VmHistory h = new VmHistory();
        for (int w = 1; w <= VmHistory.MAX_WINDOWS + 3; w++) {
            if (w % 3 != 0) {
                h.putProfile(profile(20 * w));
            }
            if (w % 4 != 0) {
                h.putRecommendation(fullAdvice(20 * w));
            }
            if (w == 1 || w == 5 || w > VmHistory.MAX_WINDOWS) {
                VmHistory copy = new VmHistory();
                h.entries().forEach(e -> {
                    if (e.profile() != null) {
                        copy.putProfile(e.profile());
                    }
                    if (e.recommendation() != null) {
                        copy.putRecommendation(e.recommendation());
                    }
                });
                out.add(copy);
            }
        }
        return out;
    }

    private static byte[] generic(VmHistory h, Serializer<VmProfile> p, Serializer<MigrationRecommendation> r)
            throws IOException {
        List<HistoryEntry> entries = new ArrayList<>();
        for (VmHistory.Entry e : h.entries()) {
            entries.add(new HistoryEntry(
                    e.windowEndMs(),
                    e.profile() == null ? null : ByteBuffer.wrap(p.serialize(Topics.VM_PROFILES, e.profile())),
                    e.recommendation() == null
                            ? null
                            : ByteBuffer.wrap(r.serialize(Topics.MIGRATION_RECOMMENDATIONS, e.recommendation()))));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write('L');
        bytes.write(1);
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new SpecificDatumWriter<>(io.lmadvisor.avro.state.VmHistory.getClassSchema())
                .write(new io.lmadvisor.avro.state.VmHistory(entries), out);
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void theSerdeWritesTheGenericWritersBytesAndReadsThemBack() throws IOException {
        SchemaRegistry registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
        Serde<VmProfile> profiles = AvroSerdes.of(VmProfile.class, registry, false);
        Serde<MigrationRecommendation> recs = AvroSerdes.of(MigrationRecommendation.class, registry, false);
        Serde<VmHistory> serde = VmHistory.serde(profiles, recs, Topics.VM_PROFILES, Topics.MIGRATION_RECOMMENDATIONS);
        List<VmHistory> all = histories();
        assertEquals(6, all.size());
        for (VmHistory h : all) {
            byte[] expected = generic(h, profiles.serializer(), recs.serializer());
            assertArrayEquals(expected, serde.serializer().serialize("t", h));
            VmHistory back = serde.deserializer().deserialize("t", expected);
            assertEquals(h.entries(), back.entries());
            assertArrayEquals(expected, serde.serializer().serialize("t", back), "written again from kept bytes");
        }
    }

    @Test
    void theSlimCopyIsWhatTheBuildersMade() throws IOException {
        MigrationRecommendation full = fullAdvice(40);
        // Avro's equality calls NaN unequal to itself: compare the encoded records.
        assertArrayEquals(encoded(slimByBuilders(full)), encoded(VmHistory.slim(full)));
        assertArrayEquals(encoded(fullAdvice(40)), encoded(full), "the original is left as it was");
        MigrationRecommendation none = MigrationRecommendation.newBuilder(full)
                .setDestinationHostId(null)
                .setAlgorithm(null)
                .setSettings(null)
                .setPredictions(List.of())
                .build();
        assertArrayEquals(encoded(slimByBuilders(none)), encoded(VmHistory.slim(none)));
    }

    private static byte[] encoded(MigrationRecommendation r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new SpecificDatumWriter<>(MigrationRecommendation.class).write(r, out);
        out.flush();
        return bytes.toByteArray();
    }
}
