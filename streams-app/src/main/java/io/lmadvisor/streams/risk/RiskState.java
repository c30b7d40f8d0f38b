package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;

import java.util.EnumMap;
import java.util.Map;

/** The risks open for one VM, and when its last profile was seen, so changes alone are emitted. */
public final class RiskState {
    final Map<SlaRiskType, SlaRiskSeverity> open = new EnumMap<>(SlaRiskType.class);
    String hostId = "";
    long lastProfileWallMs;

    public Map<SlaRiskType, SlaRiskSeverity> open() {
        return open;
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
}
