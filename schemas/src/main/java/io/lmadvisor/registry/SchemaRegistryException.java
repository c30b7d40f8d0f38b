package io.lmadvisor.registry;

/**
 * Failure reported by, or while talking to, a schema registry. Carries the HTTP status and the
 * Confluent {@code error_code} so callers can tell "not found" from "registry down".
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Used for {@link #httpStatus()} and {@link #errorCode()} when no HTTP response exists. */
    public static final int NONE = -1;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, null);
    }

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** HTTP status of the failed response, or {@link #NONE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent error code (e.g. 40401), the HTTP status when the body had none, or {@link #NONE}. */
    public int errorCode() {
        return errorCode;
    }

    /** True when trying again later may succeed (server-side error, timeout, unreachable). */
    public boolean isTransient() {
        return httpStatus == NONE || httpStatus >= 500;
    }

    /** Maps an error response to the most specific exception type. */
    public static SchemaRegistryException of(int httpStatus, int errorCode, String message) {
        return switch (errorCode) {
            case SUBJECT_NOT_FOUND -> new SubjectNotFoundException(message);
            case SCHEMA_NOT_FOUND -> new SchemaNotFoundException(message);
            case INVALID_SCHEMA -> new InvalidSchemaException(message);
            default ->
                errorCode == INCOMPATIBLE_SCHEMA || (httpStatus == 409 && errorCode == NONE)
                        ? new IncompatibleSchemaException(message)
                        : new SchemaRegistryException(message, httpStatus, errorCode);
        };
    }
}
