package io.lmadvisor.registry;

/** No registry URL answered in time (connection refused, timeout, I/O error). */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, NONE, NONE, cause);
    }
}
