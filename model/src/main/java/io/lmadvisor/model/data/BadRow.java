package io.lmadvisor.model.data;

/**
 * A row a reader rejected.
 *
 * @param lineNumber 1-based line in the source file (the header is line 1)
 * @param reason     why the row was rejected, naming the column when there is one
 */
public record BadRow(long lineNumber, String reason) {
    @Override
    public String toString() {
        return "line " + lineNumber + ": " + reason;
    }
}
