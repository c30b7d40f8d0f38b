package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskTransition;
import io.lmadvisor.avro.SlaRiskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The raise/clear logic of one VM's risks, window by window: a risk is RAISED when it appears or its
 * severity changes, and CLEARED when it has stayed away as long as the {@link RiskHysteresis} asks
 * (AGENT_SILENT at once, since its absence is a sample arriving).
 */
public final class RiskTracker {
    /** One change to publish. */
    public record Transition(SlaRiskType type, SlaRiskTransition transition, SlaRiskSeverity severity) {}

    private final RiskHysteresis hysteresis;

    public RiskTracker(RiskHysteresis hysteresis) {
        this.hysteresis = hysteresis;
    }

    /**
     * Updates {@code state} with the risks present in this window and returns the changes, raised ones first.
     *
     * @param level how close each kind is to being raised (1 or more: raised; NaN: no figure)
     */
    public List<Transition> update(
            RiskState state, Map<SlaRiskType, SlaRiskSeverity> present, ToDoubleFunction<SlaRiskType> level) {
        List<Transition> out = new ArrayList<>();
        for (Map.Entry<SlaRiskType, SlaRiskSeverity> e : present.entrySet()) {
            hysteresis.presentWindow(state, e.getKey());
            if (state.open().get(e.getKey()) != e.getValue()) {
                state.open().put(e.getKey(), e.getValue());
                out.add(new Transition(e.getKey(), SlaRiskTransition.RAISED, e.getValue()));
            }
        }
        for (SlaRiskType type : new ArrayList<>(state.open().keySet())) {
            if (!present.containsKey(type)
                    && (type == SlaRiskType.AGENT_SILENT
                            || hysteresis.absentWindow(state, type, level.applyAsDouble(type)))) {
                out.add(new Transition(
                        type, SlaRiskTransition.CLEARED, state.open().remove(type)));
            }
        }
        return out;
    }
}
