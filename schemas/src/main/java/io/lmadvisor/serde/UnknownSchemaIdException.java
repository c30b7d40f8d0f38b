package io.lmadvisor.serde;

/** The header names a schema id the registry does not know. */
public class UnknownSchemaIdException extends SerializationFailure {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public UnknownSchemaIdException(int schemaId, Throwable cause) {
        super("Unknown schema id " + schemaId, cause);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
