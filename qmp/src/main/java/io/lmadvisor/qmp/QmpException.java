package io.lmadvisor.qmp;

/** QEMU answered a command with an error; the connection itself is still usable. */
public final class QmpException extends Exception {
    private final String errorClass;

    public QmpException(String command, String errorClass, String desc) {
        super(command + " failed: " + errorClass + ": " + desc);
        this.errorClass = errorClass;
    }

    /** QMP error class, e.g. {@code CommandNotFound} or {@code GenericError}. */
    public String errorClass() {
        return errorClass;
    }
}
