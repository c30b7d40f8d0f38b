package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.streams.risk.Risk;
import java.util.List;
import java.util.Map;

/**
 * What one profile yields: the recommendation, the risks present right now, and per kind of risk how
 * close it is to being raised (1 or more: raised), which the risk tracker's hysteresis uses.
 */
public record Decision(MigrationRecommendation recommendation, List<Risk> risks, Map<SlaRiskType, Double> levels) {
    public Decision(MigrationRecommendation recommendation, List<Risk> risks) {
        this(recommendation, risks, Map.of());
    }

    /** How close {@code type} is to being raised, or NaN when this profile gives no figure for it. */
    public double level(SlaRiskType type) {
        Double v = levels.get(type);
        return v == null ? Double.NaN : v;
    }
}
