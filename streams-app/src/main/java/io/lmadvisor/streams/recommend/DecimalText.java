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
        String digits = Double.toString(v);
        if (digits.indexOf('E') >= 0) {
            return sb.append(new BigDecimal(digits)
                    .setScale(decimals, RoundingMode.HALF_UP)
                    .toPlainString());
        }
        return appendPlain(sb, digits, decimals);
    }

    /** Rounds {@code s}, Double.toString's plain form ("123.456"), half up to {@code decimals} places. */
    private static StringBuilder appendPlain(StringBuilder sb, String s, int decimals) {
        int point = s.indexOf('.');
        int fraction = s.length() - point - 1;
        if (fraction <= decimals) {
            sb.append(s);
            for (int i = fraction; i < decimals; i++) {
                sb.append('0');
            }
            return sb;
        }
        // The integer digits and the kept fraction digits, without the point; one spare place for a carry.
        char[] kept = new char[point + decimals + 1];
        s.getChars(0, point, kept, 1);
        s.getChars(point + 1, point + 1 + decimals, kept, point + 1);
        int first = 1;
        if (s.charAt(point + 1 + decimals) >= '5') {
            int i = kept.length - 1;
            while (i >= 1 && kept[i] == '9') {
                kept[i--] = '0';
            }
            if (i >= 1) {
                kept[i]++;
            } else {
                kept[0] = '1';
                first = 0;
            }
        }
        int integerEnd = kept.length - decimals;
        sb.append(kept, first, integerEnd - first);
        if (decimals > 0) {
            sb.append('.').append(kept, integerEnd, decimals);
        }
        return sb;
    }
}
