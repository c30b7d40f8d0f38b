package io.lmadvisor.lab;

/** A lab failure whose message is one sentence for the user (names the file, flag or command). */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
