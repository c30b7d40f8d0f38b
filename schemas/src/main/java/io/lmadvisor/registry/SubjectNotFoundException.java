package io.lmadvisor.registry;

/** The subject has no registered versions (Confluent 40401). */
public class SubjectNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public SubjectNotFoundException(String message) {
        super(message, 404, SUBJECT_NOT_FOUND);
    }
}
