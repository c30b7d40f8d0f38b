package io.lmadvisor.streams.calibration;

/**
 * Continuous calibration ({@code lm.calibration.*}); off unless {@code lm.calibration.enabled=true}.
 *
 * @param enabled     whether the service runs at all
 * @param everyRows   new training rows between two challengers
 * @param marginRatio a cell counts as worse when challenger gMRE &gt; champion gMRE × (1 + marginRatio)
 * @param folds       cross-validation folds over the fleet's rows
 * @param maxRows     fleet rows kept in memory (the newest); bounds memory and training time
 */
public record CalibrationSettings(boolean enabled, int everyRows, double marginRatio, int folds, int maxRows) {
    public static final CalibrationSettings DEFAULTS = new CalibrationSettings(false, 50, 0.05, 5, 5_000);

    public CalibrationSettings {
        if (everyRows < 1 || folds < 2 || maxRows < everyRows) {
            throw new IllegalArgumentException("need everyRows >= 1, folds >= 2 and maxRows >= everyRows");
        }
        if (!(marginRatio >= 0) || Double.isInfinite(marginRatio)) {
            throw new IllegalArgumentException("marginRatio must be a finite number >= 0, got " + marginRatio);
        }
    }

    public CalibrationSettings withEnabled(boolean on) {
        return new CalibrationSettings(on, everyRows, marginRatio, folds, maxRows);
    }

    public CalibrationSettings withEveryRows(int n) {
        return new CalibrationSettings(enabled, n, marginRatio, folds, Math.max(maxRows, n));
    }
}
