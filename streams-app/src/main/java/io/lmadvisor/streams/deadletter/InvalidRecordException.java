package io.lmadvisor.streams.deadletter;

import io.lmadvisor.serde.SerializationFailure;

/** A record that decodes but carries values no agent should send (NaN, negative, absurd, future). */
public final class InvalidRecordException extends SerializationFailure {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String reason) {
        super(reason);
    }
}
