package io.lmadvisor.model.data;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.RawFeature;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes records as {@code csap} or {@code csap512} CSV that {@link CsapReader} reads back to the
 * same values: doubles are written in their shortest exact form, absent values as empty cells, an
 * unknown workload as an empty {@code workload_type}. csap512 needs ids of the form
 * {@code seed:sequence} ({@link Csap512Key}). Values are not validated here: a negative size or time
 * is written and comes back as a bad row. Not thread-safe.
 */
public final class CsapWriter implements Closeable {
    private final Writer out;
    private final DatasetFormat format;
    private final StringBuilder line = new StringBuilder(256);
    private long rowsWritten;

    /** Writes the header at once. */
    public CsapWriter(Writer out, DatasetFormat format) throws IOException {
        if (!format.writable()) {
            throw new IllegalArgumentException("cannot write format " + format.cliName() + " (csap and csap512 only)");
        }
        this.out = out;
        this.format = format;
        out.write(header(format));
        out.write('\n');
    }

    /** Opens a file (gzip when the name ends in {@code .gz}), replacing it. */
    public static CsapWriter open(Path path, DatasetFormat format) throws IOException {
        OutputStream os = Files.newOutputStream(path);
        try {
            if (path.getFileName() != null && path.getFileName().toString().endsWith(".gz")) {
                os = new GZIPOutputStream(os, 1 << 16);
            }
            return new CsapWriter(
                    new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16), format);
        } catch (IOException | RuntimeException e) {
            os.close();
            throw e;
        }
    }

    public static void writeAll(Path path, DatasetFormat format, List<MigrationRecord> records) throws IOException {
        try (CsapWriter w = open(path, format)) {
            for (MigrationRecord r : records) {
                w.write(r);
            }
        }
    }

    public void write(MigrationRecord r) throws IOException {
        line.setLength(0);
        appendRow(line, r, format);
        line.append('\n');
        out.append(line);
        rowsWritten++;
    }

    /**
     * One data row as this writer would write it, without the line break: for streaming rows one at a
     * time (e.g. to a Kafka topic) and joining them under the header later.
     */
    public static String row(MigrationRecord r, DatasetFormat format) {
        if (!format.writable()) {
            throw new IllegalArgumentException("cannot write format " + format.cliName() + " (csap and csap512 only)");
        }
        StringBuilder sb = new StringBuilder(256);
        appendRow(sb, r, format);
        return sb.toString();
    }

    /** The header line of a format, without the line break. */
    public static String header(DatasetFormat format) {
        return String.join(",", CsapReader.columns(format));
    }

    private static void appendRow(StringBuilder line, MigrationRecord r, DatasetFormat format) {
        if (format == DatasetFormat.CSAP512) {
            Csap512Key key = Csap512Key.fromId(r.id());
            line.append(key.seed()).append(',').append(key.sequence()).append(',');
        }
        line.append(r.algorithm().code()).append(',');
        if (r.workload() != null) {
            line.append(r.workload().code());
        }
        for (RawFeature f : RawFeature.values()) {
            if (f.inCsap()) {
                line.append(',');
                appendNumber(line, r.raw(f));
            }
        }
        for (Target t : Target.values()) {
            line.append(',');
            appendNumber(line, r.target(t));
        }
        for (RawFeature f : RawFeature.values()) {
            if (!f.inCsap()) {
                line.append(',');
                appendNumber(line, r.raw(f));
            }
        }
    }

    public long rowsWritten() {
        return rowsWritten;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Integers without a fraction (readable counts and ms), everything else in round-trip form. */
    static void appendNumber(StringBuilder sb, double v) {
        if (Double.isNaN(v)) {
            return;
        }
        if (Double.isInfinite(v)) {
            throw new IllegalArgumentException("cannot write an infinite value (the reader rejects it)");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            sb.append(v);
        }
    }
}
