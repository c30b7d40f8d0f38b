package io.lmadvisor.model.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;

/** Reads one dataset format into {@link io.lmadvisor.model.MigrationRecord}s. */
public interface DatasetReader {
    DatasetFormat format();

    /** Reads a file; a name ending in {@code .gz} is decompressed. */
    Dataset read(Path path, ReadOptions options) throws IOException;

    /**
     * Reads from a stream.
     *
     * @param source the file the text came from, for messages; may be null
     */
    Dataset read(Reader reader, Path source, ReadOptions options) throws IOException;
}
