package io.lmadvisor.streams.deadletter;

import io.lmadvisor.serde.SerializationFailure;

/**
 * A record that decodes but cannot be used: values no agent should send (NaN, negative, absurd,
 * future), a missing or wrong key, a tombstone, a timestamp no open window takes. Its reason is the
 * dead letter's.
 */
public final class InvalidRecordException extends SerializationFailure {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String reason) {
        super(reason);
    }

    /** A verdict on data, not a bug: the stack trace would be filled for nothing on every poison record. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
