package io.lmadvisor.agent.replay;

/** Recorded samples in the order they were recorded: a file, or a range of a topic. */
interface ReplayInput extends AutoCloseable {
    /** The next record, or null at the end. */
    Recorded next();

    /** Event time of the newest record, for {@code --shift-to-now}. */
    long lastTimestampMs();

    /** Where the records come from, for messages. */
    String describe();

    @Override
    void close();
}
