package io.lmadvisor.topics;

/**
 * One run's topic names: the live ones ({@link #LIVE}), or a replay's copies under another prefix, so a
 * backtest never reads or writes a live topic. The names themselves come from {@link Topics} alone.
 *
 * @param prefix what replaces the live {@code lm.} prefix, e.g. {@code lm.backtest.r1.}
 */
public record TopicSet(String prefix) {
    /** Every live name in {@link Topics} starts with it. */
    public static final String LIVE_PREFIX = "lm.";
    /** The live topics. */
    public static final TopicSet LIVE = new TopicSet(LIVE_PREFIX);

    public TopicSet {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("a topic prefix is required");
        }
    }

    /** The copies of every live topic under {@code prefix}, which must differ from the live one. */
    public static TopicSet prefixed(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.equals(LIVE_PREFIX)) {
            throw new IllegalArgumentException("a topic prefix other than '" + LIVE_PREFIX + "' is required");
        }
        return new TopicSet(prefix);
    }

    /** This set's name of {@code liveTopic}, one of {@link Topics}' names. */
    public String of(String liveTopic) {
        if (Topics.byName(liveTopic).isEmpty()) {
            throw new IllegalArgumentException("not an advisor topic: " + liveTopic);
        }
        return prefix + liveTopic.substring(LIVE_PREFIX.length());
    }
}
