package io.lmadvisor.model.data;

/** What a reader does with a row it cannot turn into a record. */
public enum BadRowPolicy {
    /** Count the row and keep its line number and reason in {@link Dataset#badRows()}. */
    SKIP,
    /** Stop reading with a {@link DatasetException}. */
    FAIL
}
