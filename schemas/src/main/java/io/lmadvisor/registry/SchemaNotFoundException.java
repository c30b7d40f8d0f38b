package io.lmadvisor.registry;

/** No schema with that id, or the schema is not registered under the subject (Confluent 40403). */
public class SchemaNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public SchemaNotFoundException(String message) {
        super(message, 404, SCHEMA_NOT_FOUND);
    }
}
