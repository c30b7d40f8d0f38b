package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.state.OpenRisk;
import io.lmadvisor.streams.state.StateSerde;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.kafka.common.serialization.Serde;

/** The risks open for one VM, and when its last profile was seen, so changes alone are emitted. */
public final class RiskState {
    final Map<SlaRiskType, SlaRiskSeverity> open = new EnumMap<>(SlaRiskType.class);
    /** Per open risk, consecutive windows that count towards clearing it (see {@link RiskHysteresis}). */
    final Map<SlaRiskType, Integer> clearWindows = new EnumMap<>(SlaRiskType.class);

    String hostId = "";
    long lastProfileWallMs;

    public Map<SlaRiskType, SlaRiskSeverity> open() {
        return open;
    }

    /** Consecutive windows counted towards clearing {@code type}; 0 when none. */
    public int clearWindows(SlaRiskType type) {
        return clearWindows.getOrDefault(type, 0);
    }

    public String hostId() {
        return hostId;
    }

    public long lastProfileWallMs() {
        return lastProfileWallMs;
    }

    /** Records the profile just handled. */
    public void profileSeen(String host, long wallMs) {
        this.hostId = host;
        this.lastProfileWallMs = wallMs;
    }

    /** The store's format: Avro {@code io.lmadvisor.avro.state.RiskState}; risk types and severities by name. */
    public static Serde<RiskState> serde() {
        return StateSerde.of(
                io.lmadvisor.avro.state.RiskState.getClassSchema(), RiskState::toAvro, RiskState::fromAvro, CODEC);
    }

    /** The schema's fields in order: a VM's risk state is read and written on every profile. */
    static final StateSerde.Codec<RiskState> CODEC = new StateSerde.Codec<>() {
        @Override
        public void write(RiskState s, Encoder out) throws IOException {
            out.writeString(s.hostId);
            out.writeLong(s.lastProfileWallMs);
            out.writeArrayStart();
            out.setItemCount(s.open.size());
            for (Map.Entry<SlaRiskType, SlaRiskSeverity> e : s.open.entrySet()) {
                out.startItem();
                out.writeString(e.getKey().name());
                out.writeString(e.getValue().name());
                Integer clear = s.clearWindows.get(e.getKey());
                if (clear == null) {
                    out.writeIndex(0);
                    out.writeNull();
                } else {
                    out.writeIndex(1);
                    out.writeInt(clear);
                }
            }
            out.writeArrayEnd();
        }

        @Override
        public RiskState read(Decoder in) throws IOException {
            RiskState s = new RiskState();
            s.hostId = in.readString();
            s.lastProfileWallMs = in.readLong();
            for (long n = in.readArrayStart(); n > 0; n = in.arrayNext()) {
                for (long i = 0; i < n; i++) {
                    SlaRiskType type = SlaRiskType.valueOf(in.readString());
                    s.open.put(type, SlaRiskSeverity.valueOf(in.readString()));
                    if (in.readIndex() == 0) {
                        in.readNull();
                    } else {
                        s.clearWindows.put(type, in.readInt());
                    }
                }
            }
            return s;
        }
    };

    static io.lmadvisor.avro.state.RiskState toAvro(RiskState s) {
        List<OpenRisk> open = new ArrayList<>(s.open.size());
        for (Map.Entry<SlaRiskType, SlaRiskSeverity> e : s.open.entrySet()) {
            open.add(new OpenRisk(e.getKey().name(), e.getValue().name(), s.clearWindows.get(e.getKey())));
        }
        return new io.lmadvisor.avro.state.RiskState(s.hostId, s.lastProfileWallMs, open);
    }

    private static RiskState fromAvro(io.lmadvisor.avro.state.RiskState r) {
        RiskState s = new RiskState();
        s.hostId = r.getHostId().toString();
        s.lastProfileWallMs = r.getLastProfileWallMs();
        for (OpenRisk o : r.getOpen()) {
            SlaRiskType type = SlaRiskType.valueOf(o.getRiskType().toString());
            s.open.put(type, SlaRiskSeverity.valueOf(o.getSeverity().toString()));
            if (o.getClearWindows() != null) {
                s.clearWindows.put(type, o.getClearWindows());
            }
        }
        return s;
    }
}
