package io.lmadvisor.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The bytes of one record cannot be turned into a value, however often they are retried. Stream
 * processors route these to the dead-letter topic; other exceptions from a deserializer (e.g. the
 * registry being down) are transient and must not be dead-lettered.
 */
public class SerializationFailure extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public SerializationFailure(String reason) {
        this(reason, null);
    }

    public SerializationFailure(String reason, Throwable cause) {
        super(reason, cause);
        this.reason = reason;
    }

    /** One line saying what is wrong with the bytes, fit for a DeadLetter's reason. */
    public String reason() {
        return reason;
    }
}
