package io.lmadvisor.streams.risk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.serde.AvroTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-written codec of the risk state writes exactly what Avro's generic writer writes, and reads it back. */
class RiskStateCodecTest {
    @BeforeAll
    static void trustTheStateClasses() {
        AvroTrust.install();
    }

    private static RiskState state(int risks) {
        RiskState s = new RiskState();
        s.profileSeen(risks == 0 ? "" : "host-é-" + risks, 1_700_000_123_456L + risks);
        for (int i = 0; i < risks; i++) {
            SlaRiskType type = SlaRiskType.values()[i];
            s.open.put(type, SlaRiskSeverity.values()[i % SlaRiskSeverity.values().length]);
            if (i % 2 == 1) {
                s.clearWindows.put(type, i);
            }
        }
        return s;
    }

    private static byte[] generic(RiskState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new SpecificDatumWriter<>(io.lmadvisor.avro.state.RiskState.getClassSchema()).write(RiskState.toAvro(s), out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] codec(RiskState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        RiskState.CODEC.write(s, out);
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void writesTheGenericWritersBytesAndReadsThemBack() throws IOException {
        for (RiskState s : List.of(state(0), state(1), state(2), state(Math.min(4, SlaRiskType.values().length)))) {
            byte[] expected = generic(s);
            assertArrayEquals(expected, codec(s));
            RiskState back = RiskState.CODEC.read(DecoderFactory.get().binaryDecoder(expected, null));
            assertEquals(s.open, back.open);
            assertEquals(s.clearWindows, back.clearWindows);
            assertEquals(s.hostId(), back.hostId());
            assertEquals(s.lastProfileWallMs(), back.lastProfileWallMs());
        }
    }

    @Test
    void theSerdeRoundTripsThroughTheCodec() throws IOException {
        RiskState s = state(2);
        var serde = RiskState.serde();
        byte[] bytes = serde.serializer().serialize("t", s);
        assertArrayEquals(generic(s), generic(serde.deserializer().deserialize("t", bytes)));
    }
}
