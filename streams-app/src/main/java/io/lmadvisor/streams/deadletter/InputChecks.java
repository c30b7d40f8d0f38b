package io.lmadvisor.streams.deadletter;

/**
 * Checks every processor of an input topic makes before it uses a record: a value, a key, and the
 * key equal to the id the value carries (a record keyed otherwise would land on another partition and
 * make a second copy of that VM's or host's state). A failed check throws {@link InvalidRecordException},
 * which the processing-exception handler turns into one dead letter.
 */
public final class InputChecks {
    public static final String TOMBSTONE = "value is null (a tombstone), which this topic does not allow";
    public static final String NO_KEY = "key is null or empty";

    private InputChecks() {}

    /** The value, or an {@link InvalidRecordException} for a tombstone. */
    public static <V> V requireValue(V value) {
        if (value == null) {
            throw new InvalidRecordException(TOMBSTONE);
        }
        return value;
    }

    public static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidRecordException(NO_KEY);
        }
    }

    /** The key is present and equals {@code id}, the value's {@code idField}. */
    public static void requireKeyMatches(String key, String id, String idField) {
        requireKey(key);
        if (!key.equals(id)) {
            throw new InvalidRecordException(
                    "key '" + shortForm(key) + "' differs from " + idField + " '" + shortForm(id) + "'");
        }
    }

    private static String shortForm(String s) {
        return s == null ? "null" : s.length() <= 64 ? s : s.substring(0, 63) + "…";
    }
}
