package io.lmadvisor.registry;

/** The schema breaks the subject's compatibility level (HTTP 409). */
public class IncompatibleSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public IncompatibleSchemaException(String message) {
        super(message, 409, INCOMPATIBLE_SCHEMA);
    }
}
