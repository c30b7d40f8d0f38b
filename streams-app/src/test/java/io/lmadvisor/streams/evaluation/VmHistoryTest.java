package io.lmadvisor.streams.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.serde.AvroTrust;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The history's windows, and the slim copy of a recommendation it keeps (its store: {@link HistoryWindowsTest}). */
class VmHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @BeforeAll
    static void trustAvro() {
        AvroTrust.install(); // the tests build records before any serde does
    }

    static VmProfile profile(int windowEndS) {
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

    static MigrationRecommendation advice(int windowEndS) {
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

    static MigrationRecommendation fullAdvice(int windowEndS) {
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
    static List<VmHistory> histories() {
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
