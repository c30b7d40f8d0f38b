package io.lmadvisor.model.data;

import io.lmadvisor.model.MigrationRecord;
import java.nio.file.Path;
import java.util.List;

/**
 * What a reader produced. Every data row is accounted for: {@code rowsRead == records.size() +
 * badRows.size()}; blank lines are not rows.
 *
 * @param source the file read, or null when read from a stream
 */
public record Dataset(
        List<MigrationRecord> records, List<BadRow> badRows, DatasetFormat format, Path source, long rowsRead) {
    public Dataset {
        records = List.copyOf(records);
        badRows = List.copyOf(badRows);
    }

    /** One line for logs and the CLI, e.g. {@code csap-subset data.csv: 18414 rows, 18414 records, 0 bad}. */
    public String summary() {
        return format.cliName() + " " + (source == null ? "<stream>" : source) + ": " + rowsRead + " rows, "
                + records.size() + " records, " + badRows.size() + " bad";
    }
}
