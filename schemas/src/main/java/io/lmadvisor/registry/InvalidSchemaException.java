package io.lmadvisor.registry;

/** The registry could not parse the schema (Confluent 42201). */
public class InvalidSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public InvalidSchemaException(String message) {
        super(message, 422, INVALID_SCHEMA);
    }
}
