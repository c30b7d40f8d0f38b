package io.lmadvisor.serde;

/** The record was written with a schema the expected type cannot read (wrong record on topic). */
public class IncompatibleWriterSchemaException extends SerializationFailure {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public IncompatibleWriterSchemaException(int schemaId, String reason) {
        super(reason);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
