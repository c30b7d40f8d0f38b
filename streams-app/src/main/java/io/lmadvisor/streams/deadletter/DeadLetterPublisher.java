package io.lmadvisor.streams.deadletter;

import io.lmadvisor.avro.DeadLetter;

/** Writes dead letters where Kafka Streams cannot (global-store topics). */
public interface DeadLetterPublisher extends AutoCloseable {
    void publish(DeadLetter letter);

    @Override
    default void close() {}
}
