package io.lmadvisor.serde;

/** The bytes do not start with the Confluent wire-format header (magic byte 0, schema id). */
public class NotWireFormatException extends SerializationFailure {

    private static final long serialVersionUID = 1L;

    public NotWireFormatException(String reason) {
        super(reason);
    }
}
