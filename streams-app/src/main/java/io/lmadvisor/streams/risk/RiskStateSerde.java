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

/**
 * Binary form of {@link RiskState}; risks by enum name so reordering symbols stays safe. Version 2 adds
 * each open risk's count of windows towards clearing ({@code TYPE=SEVERITY/n}); version 1 still reads.
 */
public final class RiskStateSerde implements Serde<RiskState> {
    private static final byte FORMAT_VERSION = 2;

    @Override
    public Serializer<RiskState> serializer() {
        return (topic, s) -> {
            if (s == null) {
                return null;
            }
            StringBuilder risks = new StringBuilder();
            for (Map.Entry<SlaRiskType, SlaRiskSeverity> e : s.open.entrySet()) {
                risks.append(e.getKey().name()).append('=').append(e.getValue().name());
                Integer n = s.clearWindows.get(e.getKey());
                if (n != null) {
                    risks.append('/').append(n);
                }
                risks.append(';');
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
            byte version = b.get();
            if (version != 1 && version != FORMAT_VERSION) {
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
                    String[] severityAndCount = kv[1].split("/", 2);
                    SlaRiskType type = SlaRiskType.valueOf(kv[0]);
                    s.open.put(type, SlaRiskSeverity.valueOf(severityAndCount[0]));
                    if (severityAndCount.length == 2) {
                        s.clearWindows.put(type, Integer.parseInt(severityAndCount[1]));
                    }
                }
            }
            return s;
        };
    }
}
