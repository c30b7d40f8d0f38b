package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Binary form of {@link RiskState}; risks by enum name so reordering symbols stays safe. */
public final class RiskStateSerde implements Serde<RiskState> {
    private static final byte FORMAT_VERSION = 1;

    @Override
    public Serializer<RiskState> serializer() {
        return (topic, s) -> {
            if (s == null) {
                return null;
            }
            StringBuilder risks = new StringBuilder();
            for (Map.Entry<SlaRiskType, SlaRiskSeverity> e : s.open.entrySet()) {
                risks.append(e.getKey().name()).append('=').append(e.getValue().name()).append(';');
            }
            byte[] r = risks.toString().getBytes(StandardCharsets.UTF_8);
            byte[] h = s.hostId.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + 8 + 4 + h.length + 4 + r.length).put(FORMAT_VERSION)
                    .putLong(s.lastProfileWallMs).putInt(h.length).put(h).putInt(r.length).put(r).array();
        };
    }

    @Override
    public Deserializer<RiskState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != FORMAT_VERSION) {
                throw new SerializationException("risk state format not supported");
            }
            RiskState s = new RiskState();
            s.lastProfileWallMs = b.getLong();
            byte[] h = new byte[b.getInt()];
            b.get(h);
            s.hostId = new String(h, StandardCharsets.UTF_8);
            byte[] r = new byte[b.getInt()];
            b.get(r);
            for (String entry : new String(r, StandardCharsets.UTF_8).split(";")) {
                if (!entry.isEmpty()) {
                    String[] kv = entry.split("=", 2);
                    s.open.put(SlaRiskType.valueOf(kv[0]), SlaRiskSeverity.valueOf(kv[1]));
                }
            }
            return s;
        };
    }
}
