package io.lmadvisor.model.data;

/** Numeric cell parsing with the reasons bad rows report. */
final class Cells {
    private Cells() {}

    private static boolean isAbsent(String text) {
        return text.isEmpty() || text.equalsIgnoreCase("nan");
    }

    /** A number that must be there and be finite. */
    static double required(String text, String column) throws RowException {
        if (isAbsent(text)) {
            throw new RowException("missing or NaN value in column '" + column + "'");
        }
        return finite(parse(text, column), text, column);
    }

    /** A finite number or NaN for an empty/NaN cell (the data model's "absent"). */
    static double optional(String text, String column) throws RowException {
        if (isAbsent(text)) {
            return Double.NaN;
        }
        return finite(parse(text, column), text, column);
    }

    /** NaN passes (absent); a present value must be at least 0. */
    static double nonNegative(double value, String column) throws RowException {
        if (value < 0) {
            throw new RowException("negative value " + value + " in column '" + column + "'");
        }
        return value;
    }

    /** Must be strictly positive. */
    static double positive(double value, String column) throws RowException {
        if (!(value > 0)) {
            throw new RowException("non-positive value " + value + " in column '" + column + "'");
        }
        return value;
    }

    /** An integer code, written as "3" or "3.0". */
    static long integer(String text, String column) throws RowException {
        double v = required(text, column);
        if (v != Math.rint(v) || Math.abs(v) > (1L << 53)) {
            throw new RowException("non-integer value '" + text + "' in column '" + column + "'");
        }
        return (long) v;
    }

    private static double parse(String text, String column) throws RowException {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new RowException("unparseable number '" + abbreviate(text) + "' in column '" + column + "'");
        }
    }

    private static double finite(double v, String text, String column) throws RowException {
        if (!Double.isFinite(v)) {
            throw new RowException("non-finite value '" + abbreviate(text) + "' in column '" + column + "'");
        }
        return v;
    }

    static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
