package io.lmadvisor.streams.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class RiskHysteresisTest {
    private static final SlaRiskType T = SlaRiskType.DOWNTIME_RISK;

    @Test
    void clearsOnlyAfterConsecutiveWindowsWellBelowTheThreshold() {
        RiskHysteresis h = new RiskHysteresis(0.9, 2);
        RiskState s = new RiskState();
        s.open().put(T, SlaRiskSeverity.WARNING);
        assertFalse(h.absentWindow(s, T, 0.5)); // one calm window
        assertFalse(h.absentWindow(s, T, 0.95)); // back inside the band: the count starts over
        assertEquals(0, s.clearWindows(T));
        assertFalse(h.absentWindow(s, T, 0.5));
        h.presentWindow(s, T); // raised again: starts over too
        assertFalse(h.absentWindow(s, T, 0.5));
        assertTrue(h.absentWindow(s, T, Double.NaN), "no figure counts as calm");
        assertEquals(0, s.clearWindows(T));
    }

    @Test
    void noneClearsAtOnce() {
        RiskState s = new RiskState();
        assertTrue(RiskHysteresis.NONE.absentWindow(s, T, 0.99));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RiskHysteresis(0, 2));
        assertThrows(IllegalArgumentException.class, () -> new RiskHysteresis(0.9, 0));
    }

    @Test
    void theStateKeepsItsCountAcrossTheStoreAndRefusesTheHandWrittenFormat() {
        Serde<RiskState> serde = RiskState.serde();
        RiskState s = new RiskState();
        s.open().put(T, SlaRiskSeverity.CRITICAL);
        s.open().put(SlaRiskType.AGENT_SILENT, SlaRiskSeverity.WARNING);
        s.clearWindows.put(T, 1);
        s.profileSeen("h1", 42);
        RiskState back =
                serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
        assertEquals(s.open(), back.open());
        assertEquals(1, back.clearWindows(T));
        assertEquals(0, back.clearWindows(SlaRiskType.AGENT_SILENT));
        assertEquals("h1", back.hostId());
        assertEquals(42, back.lastProfileWallMs());

        // A store in the hand-written format (version byte 1) is refused, saying how to get out.
        byte[] r = "DOWNTIME_RISK=WARNING;".getBytes(StandardCharsets.UTF_8);
        byte[] h = "h0".getBytes(StandardCharsets.UTF_8);
        byte[] v1 = ByteBuffer.allocate(1 + 8 + 4 + h.length + 4 + r.length)
                .put((byte) 1)
                .putLong(7)
                .putInt(h.length)
                .put(h)
                .putInt(r.length)
                .put(r)
                .array();
        SerializationException e = assertThrows(
                SerializationException.class, () -> serde.deserializer().deserialize("t", v1));
        assertTrue(e.getMessage().contains("reset the application's state"), e.getMessage());
    }
}
