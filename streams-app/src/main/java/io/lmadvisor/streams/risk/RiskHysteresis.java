package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskType;

/**
 * When an open risk may clear, so that a VM hovering at a threshold does not raise and clear every
 * window: a risk is raised as soon as its figure reaches the threshold (level 1), but clears only after
 * {@code clearAfterWindows} consecutive windows in which it is absent and its level is below
 * {@code clearBelow} (or unknown). A window between {@code clearBelow} and 1 keeps it open.
 *
 * @param clearBelow        level under which a window counts towards clearing, 0 < clearBelow <= 1
 * @param clearAfterWindows consecutive such windows before the risk clears, at least 1
 */
public record RiskHysteresis(double clearBelow, int clearAfterWindows) {
    /** The one place the defaults live: clear below 90 % of the threshold, after two windows. */
    public static final RiskHysteresis DEFAULTS = new RiskHysteresis(0.9, 2);
    /** Clear as soon as a risk is absent: the behaviour before hysteresis. */
    public static final RiskHysteresis NONE = new RiskHysteresis(1.0, 1);

    public RiskHysteresis {
        if (!(clearBelow > 0 && clearBelow <= 1) || clearAfterWindows < 1) {
            throw new IllegalArgumentException("risk hysteresis needs 0 < clearBelow <= 1 and clearAfterWindows >= 1");
        }
    }

    /** Whether a window with this level (NaN: no figure) counts towards clearing an open risk. */
    public boolean clearWindow(double level) {
        return Double.isNaN(level) || level < clearBelow;
    }

    /**
     * Counts one window in which the open risk {@code type} is absent, and says whether it clears now.
     * A window that does not count resets the count.
     */
    public boolean absentWindow(RiskState state, SlaRiskType type, double level) {
        if (!clearWindow(level)) {
            state.clearWindows.remove(type);
            return false;
        }
        int n = state.clearWindows.merge(type, 1, Integer::sum);
        if (n >= clearAfterWindows) {
            state.clearWindows.remove(type);
            return true;
        }
        return false;
    }

    /** The risk is present this window: any count towards clearing starts over. */
    public void presentWindow(RiskState state, SlaRiskType type) {
        state.clearWindows.remove(type);
    }
}
