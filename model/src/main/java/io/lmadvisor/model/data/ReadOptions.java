package io.lmadvisor.model.data;

import java.util.Objects;

/**
 * How to read a dataset file.
 *
 * @param badRowPolicy      skip-and-report or fail on the first bad row
 * @param progressEveryRows call {@code progress} after every this many data rows (0 = never)
 * @param progress          progress callback for long files
 */
public record ReadOptions(BadRowPolicy badRowPolicy, long progressEveryRows, Progress progress) {
    public static final long DEFAULT_PROGRESS_EVERY_ROWS = 10_000;

    public ReadOptions {
        Objects.requireNonNull(badRowPolicy, "badRowPolicy");
        Objects.requireNonNull(progress, "progress");
        if (progressEveryRows < 0) {
            throw new IllegalArgumentException("progressEveryRows must not be negative");
        }
    }

    /** Skip bad rows (reported in the dataset), no progress. */
    public static ReadOptions defaults() {
        return new ReadOptions(BadRowPolicy.SKIP, DEFAULT_PROGRESS_EVERY_ROWS, Progress.NONE);
    }

    public ReadOptions withBadRowPolicy(BadRowPolicy policy) {
        return new ReadOptions(policy, progressEveryRows, progress);
    }

    public ReadOptions withProgress(long everyRows, Progress callback) {
        return new ReadOptions(badRowPolicy, everyRows, callback);
    }

    /** Called while reading; counts are data rows so far (header and blank lines excluded). */
    @FunctionalInterface
    public interface Progress {
        void rowsRead(long rowsRead, long badRows);

        Progress NONE = (rowsRead, badRows) -> {};
    }
}
