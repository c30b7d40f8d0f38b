package io.lmadvisor.model.data;

import io.lmadvisor.model.MigrationRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The line loop shared by the CSV formats: header, field count, bad-row policy, progress. */
abstract class CsvDatasetReader implements DatasetReader {

    /** Turns one row's fields into a record; built once per file from its header. */
    interface RowParser {
        MigrationRecord parse(List<String> fields, long lineNumber) throws RowException;
    }

    abstract RowParser parser(Header header, String source) throws DatasetException;

    /** True for a column a row may leave off at its end (written by newer code, absent from older rows). */
    boolean mayOmit(String column) {
        return false;
    }

    @Override
    public Dataset read(Path path, ReadOptions options) throws IOException {
        InputStream in = Files.newInputStream(path);
        try {
            if (path.getFileName() != null && path.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        // InputStreamReader replaces malformed bytes, so they surface as bad rows with a line number.
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return read(r, path, options);
        }
    }

    @Override
    public Dataset read(Reader reader, Path source, ReadOptions options) throws IOException {
        String src = source == null ? null : source.toString();
        BufferedReader in =
                reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader, 1 << 16);
        String line = in.readLine();
        if (line == null || line.isBlank()) {
            throw new DatasetException(src, 1, "no header row");
        }
        List<String> headerFields;
        try {
            headerFields = Csv.split(line);
        } catch (RowException e) {
            throw new DatasetException(src, 1, "header: " + e.getMessage());
        }
        Header header = Header.parse(headerFields, src);
        RowParser parser = parser(header, src);

        List<MigrationRecord> records = new ArrayList<>();
        List<BadRow> bad = new ArrayList<>();
        long lineNumber = 1;
        long rows = 0;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue; // not a row: trailing newlines and spacing in hand-edited files
            }
            rows++;
            try {
                List<String> fields = Csv.split(line);
                while (fields.size() < header.size() && mayOmit(header.name(fields.size()))) {
                    fields.add("");
                }
                if (fields.size() != header.size()) {
                    throw new RowException("expected " + header.size() + " fields, found " + fields.size());
                }
                records.add(parser.parse(fields, lineNumber));
            } catch (RowException e) {
                if (options.badRowPolicy() == BadRowPolicy.FAIL) {
                    throw new DatasetException(src, lineNumber, e.getMessage());
                }
                bad.add(new BadRow(lineNumber, e.getMessage()));
            }
            if (options.progressEveryRows() > 0 && rows % options.progressEveryRows() == 0) {
                options.progress().rowsRead(rows, bad.size());
            }
        }
        return new Dataset(records, bad, format(), source, rows);
    }
}
