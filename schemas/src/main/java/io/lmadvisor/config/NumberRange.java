package io.lmadvisor.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A {@link ConfigDef.Validator} for a finite number in a range. Kafka's {@code Range} lets NaN and infinity
 * through; this one names the setting and the range in one sentence.
 */
public final class NumberRange implements ConfigDef.Validator {
    private final double min;
    private final boolean minIncluded;
    private final double max;

    private NumberRange(double min, boolean minIncluded, double max) {
        this.min = min;
        this.minIncluded = minIncluded;
        this.max = max;
    }

    /** From {@code min} to {@code max}, both included. */
    public static NumberRange between(double min, double max) {
        return new NumberRange(min, true, max);
    }

    /** Above {@code min} (excluded) and at most {@code max}. */
    public static NumberRange above(double min, double max) {
        return new NumberRange(min, false, max);
    }

    /** At least {@code min}, finite. */
    public static NumberRange atLeast(double min) {
        return new NumberRange(min, true, Double.MAX_VALUE);
    }

    @Override
    public void ensureValid(String name, Object value) {
        double v = ((Number) value).doubleValue();
        if (!(minIncluded ? v >= min : v > min) || !(v <= max)) {
            throw new ConfigException(name, value, "must be " + this);
        }
    }

    @Override
    public String toString() {
        if (max == Double.MAX_VALUE) {
            return (minIncluded ? "a finite number >= " : "a finite number above ") + format(min);
        }
        return minIncluded
                ? "a number in [" + format(min) + ", " + format(max) + "]"
                : "a number above " + format(min) + " and at most " + format(max);
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
