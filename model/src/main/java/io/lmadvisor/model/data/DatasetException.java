package io.lmadvisor.model.data;

import java.io.IOException;

/**
 * A dataset file that cannot be read as its format: a missing column, or a bad row under
 * {@link BadRowPolicy#FAIL}. An IOException so callers handle it with the other read failures.
 */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long lineNumber;
    private final String reason;

    /** @param lineNumber 1-based line of the problem, 0 when it is not about one line */
    public DatasetException(String source, long lineNumber, String reason) {
        super((source == null ? "" : source + ": ") + (lineNumber > 0 ? "line " + lineNumber + ": " : "") + reason);
        this.lineNumber = lineNumber;
        this.reason = reason;
    }

    public long lineNumber() {
        return lineNumber;
    }

    public String reason() {
        return reason;
    }
}
