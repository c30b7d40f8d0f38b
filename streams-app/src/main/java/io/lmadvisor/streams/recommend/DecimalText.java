package io.lmadvisor.streams.recommend;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A double as {@code String.format(Locale.ROOT, "%.Nf", v)} writes it, without the formatter: every decision's
 * reason line had cost more than its ranking and SLA judging together (docs/PERFORMANCE.md). {@code
 * DecimalTextTest} holds it to the formatter's text.
 */
public final class DecimalText {
    private DecimalText() {}

    /** {@code v} with {@code decimals} digits after the point, as {@code %.<decimals>f} in {@code Locale.ROOT}. */
    public static String fixed(double v, int decimals) {
        return append(new StringBuilder(16), v, decimals).toString();
    }

    /** Appends {@link #fixed}'s text to {@code sb}. */
    public static StringBuilder append(StringBuilder sb, double v, int decimals) {
        if (Double.isNaN(v)) {
            return sb.append("NaN");
        }
        // The formatter writes the sign of -0.0 and of negatives that round to zero.
        if (Double.compare(v, 0.0) < 0) {
            sb.append('-');
            v = -v;
        }
        if (Double.isInfinite(v)) {
            return sb.append("Infinity");
        }
        // The formatter rounds half up on the digits Double.toString gives, so does this.
        return sb.append(new BigDecimal(Double.toString(v))
                .setScale(decimals, RoundingMode.HALF_UP)
                .toPlainString());
    }
}
