package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;

import java.util.EnumMap;
import java.util.Map;

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
}
