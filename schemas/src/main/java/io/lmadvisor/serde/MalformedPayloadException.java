package io.lmadvisor.serde;

/** The header is valid but the Avro body does not decode with the writer schema. */
public class MalformedPayloadException extends SerializationFailure {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public MalformedPayloadException(int schemaId, String reason, Throwable cause) {
        super(reason, cause);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
