package io.lmadvisor.model.data;

/** A row that cannot become a record; the message is the reason shown to the user. */
final class RowException extends Exception {
    private static final long serialVersionUID = 1L;

    RowException(String reason) {
        super(reason, null, false, false);
    }
}
