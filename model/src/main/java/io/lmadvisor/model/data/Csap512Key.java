package io.lmadvisor.model.data;

/**
 * The csap512 row identity. It travels in {@link io.lmadvisor.model.MigrationRecord#id()} as
 * {@code seed:sequence}, so records need no extra field and the hold-out hash sees both numbers.
 */
public record Csap512Key(long seed, long sequence) {

    public String toId() {
        return seed + ":" + sequence;
    }

    /** @throws IllegalArgumentException when the id is not {@code seed:sequence} */
    public static Csap512Key fromId(String id) {
        int colon = id.indexOf(':');
        if (colon <= 0 || colon == id.length() - 1 || id.indexOf(':', colon + 1) >= 0) {
            throw new IllegalArgumentException("record id '" + id + "' is not seed:sequence");
        }
        try {
            return new Csap512Key(Long.parseLong(id.substring(0, colon)), Long.parseLong(id.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("record id '" + id + "' is not seed:sequence", e);
        }
    }
}
