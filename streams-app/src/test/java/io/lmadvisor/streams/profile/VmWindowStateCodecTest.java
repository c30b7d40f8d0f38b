package io.lmadvisor.streams.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lmadvisor.avro.DirtyRateMethod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The hand-written codec of the window state writes exactly what Avro's generic writer writes, and reads it back. */
class VmWindowStateCodecTest {
    private static VmWindowState state(int windows, boolean withOptionals) {
        VmWindowState s = new VmWindowState();
        s.closedUpToMs = windows == 0 ? Long.MIN_VALUE : 1_700_000_000_000L;
        s.lateSinceLastProfile = windows;
        s.lastSampleWallMs = 1_700_000_123_456L;
        for (int w = 0; w < windows; w++) {
            ProfileAccumulator a = new ProfileAccumulator();
            a.hostId = "host-" + w + "-é";
            a.sampleCount = 17 + w;
            a.lastTimestampMs = 1_700_000_019_000L + w * 20_000L;
            a.lastVmSizeMb = 2048.5;
            a.lastDirtyRateMethod =
                    withOptionals ? DirtyRateMethod.values()[w % DirtyRateMethod.values().length] : null;
            a.sumDirtyPagesPerSec = 123_456.25 * (w + 1);
            a.maxWorkingSetPages = withOptionals ? 50_000 : Double.NaN;
            a.sumCpuUtilPercent = 1_234.5;
            if (withOptionals) {
                a.changedPageEntropy.add(0.6);
                a.unchangedPageEntropy.add(0.4);
                a.modifiedBytesPerPage.add(900.0);
                a.instructionsPerSec.add(1e9);
                a.netUtilMBps.add(1.5);
                a.netUtilMBps.add(2.5);
                a.lastVcpus = 1 + w;
            }
            s.open.put(1_700_000_000_000L + w * 20_000L, a);
        }
        return s;
    }

    private static byte[] generic(VmWindowState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new SpecificDatumWriter<>(io.lmadvisor.avro.state.VmWindowState.getClassSchema())
                .write(VmWindowState.toAvro(s), out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] codec(VmWindowState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        VmWindowState.CODEC.write(s, out);
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void writesTheGenericWritersBytesAndReadsThemBack() throws IOException {
        for (VmWindowState s : List.of(state(0, false), state(1, false), state(1, true), state(3, true))) {
            byte[] expected = generic(s);
            assertArrayEquals(expected, codec(s));
            VmWindowState back = VmWindowState.CODEC.read(DecoderFactory.get().binaryDecoder(expected, null));
            // Avro's record equality calls NaN unequal to itself: compare what the generic writer makes of both.
            assertArrayEquals(expected, generic(back));
        }
    }

    @Test
    void stateWrittenByV1WithoutVcpusStillReads() throws IOException {
        Schema v1;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("state-schemas/VmWindowState/v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        Schema window = v1.getField("open").schema().getElementType();
        GenericRecord mean =
                new GenericData.Record(window.getField("netUtilMBps").schema());
        mean.put("sum", 3.0);
        mean.put("count", 2);
        GenericRecord w = new GenericData.Record(window);
        w.put("startMs", 1_700_000_000_000L);
        w.put("hostId", "h");
        w.put("sampleCount", 2);
        w.put("lastTimestampMs", 1_700_000_001_000L);
        w.put("lastVmSizeMb", 512.0);
        w.put("lastDirtyRateMethod", null);
        w.put("sumDirtyPagesPerSec", 10.0);
        w.put("maxWorkingSetPages", 7.0);
        w.put("sumCpuUtilPercent", 30.0);
        for (String f : List.of(
                "changedPageEntropy",
                "unchangedPageEntropy",
                "modifiedBytesPerPage",
                "instructionsPerSec",
                "netUtilMBps")) {
            w.put(f, mean);
        }
        GenericRecord state = new GenericData.Record(v1);
        state.put("closedUpToMs", 1L);
        state.put("lateSinceLastProfile", 0);
        state.put("lastSampleWallMs", 2L);
        state.put("open", List.of(w));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write('L');
        bytes.write(1);
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(v1).write(state, out);
        out.flush();

        VmWindowState back = VmWindowState.serde().deserializer().deserialize("t", bytes.toByteArray());
        ProfileAccumulator a = back.open.get(1_700_000_000_000L);
        assertEquals(2, a.sampleCount);
        assertEquals(1.5, a.netUtilMBps.mean());
        assertNull(a.lastVcpus, "v1 knew no vCPUs");
    }

    @Test
    void theSerdeRoundTripsThroughTheCodec() throws IOException {
        VmWindowState s = state(2, true);
        var serde = VmWindowState.serde();
        byte[] bytes = serde.serializer().serialize("t", s);
        assertArrayEquals(generic(s), generic(serde.deserializer().deserialize("t", bytes)));
    }
}
