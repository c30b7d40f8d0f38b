package io.lmadvisor.model.data;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.RawFeature;
import java.util.ArrayList;
import java.util.List;

/**
 * The full CSAP CSV ({@code csap}) and its per-seed variant ({@code csap512}). Values are already in
 * CSAP units. An empty or NaN cell is "absent" (NaN in the record), which is how {@link CsapWriter}
 * writes missing values; an empty {@code workload_type} means an unknown workload. Record ids are
 * the line number for csap and {@code seed:sequence} for csap512. Columns CSAP lacks
 * ({@link RawFeature#inCsap()} false, such as {@code VM_vcpus}) come last and are optional: a file or a
 * row without them reads them as absent.
 */
public final class CsapReader extends CsvDatasetReader {
    public static final String CAPABILITY = "capability";
    public static final String WORKLOAD_TYPE = "workload_type";
    public static final String SEED_NUMBER = "seed_number";
    public static final String SEQUENCE_NUMBER = "sequence_number";

    private final DatasetFormat format;

    CsapReader(DatasetFormat format) {
        if (format != DatasetFormat.CSAP && format != DatasetFormat.CSAP512) {
            throw new IllegalArgumentException("CsapReader reads csap and csap512, not " + format.cliName());
        }
        this.format = format;
    }

    @Override
    public DatasetFormat format() {
        return format;
    }

    /** The columns of a format, in the order {@link CsapWriter} writes them: CSAP's, then our optional ones. */
    public static List<String> columns(DatasetFormat format) {
        List<String> cols = new ArrayList<>();
        if (format == DatasetFormat.CSAP512) {
            cols.add(SEED_NUMBER);
            cols.add(SEQUENCE_NUMBER);
        } else if (format != DatasetFormat.CSAP) {
            throw new IllegalArgumentException("not a csap format: " + format.cliName());
        }
        cols.add(CAPABILITY);
        cols.add(WORKLOAD_TYPE);
        for (RawFeature f : RawFeature.values()) {
            if (f.inCsap()) {
                cols.add(f.csapColumn());
            }
        }
        for (Target t : Target.values()) {
            cols.add(t.csapColumn());
        }
        for (RawFeature f : RawFeature.values()) {
            if (!f.inCsap()) {
                cols.add(f.csapColumn());
            }
        }
        return cols;
    }

    /** The columns CSAP itself has, as files written before our optional columns existed have them. */
    public static List<String> csapOnlyColumns(DatasetFormat format) {
        List<String> cols = columns(format);
        cols.removeIf(CsapReader::isOptional);
        return cols;
    }

    private static boolean isOptional(String column) {
        for (RawFeature f : RawFeature.values()) {
            if (!f.inCsap() && f.csapColumn().equals(column)) {
                return true;
            }
        }
        return false;
    }

    @Override
    boolean mayOmit(String column) {
        return isOptional(column);
    }

    @Override
    RowParser parser(Header header, String source) throws DatasetException {
        boolean with512 = format == DatasetFormat.CSAP512;
        int seedCol = with512 ? header.require(SEED_NUMBER, source) : -1;
        int seqCol = with512 ? header.require(SEQUENCE_NUMBER, source) : -1;
        int capCol = header.require(CAPABILITY, source);
        int wlCol = header.require(WORKLOAD_TYPE, source);
        RawFeature[] raws = RawFeature.values();
        int[] rawCols = new int[raws.length];
        for (RawFeature f : raws) {
            rawCols[f.ordinal()] = f.inCsap() ? header.require(f.csapColumn(), source) : header.find(f.csapColumn());
        }
        Target[] targets = Target.values();
        int[] targetCols = new int[targets.length];
        for (Target t : targets) {
            targetCols[t.ordinal()] = header.require(t.csapColumn(), source);
        }

        return (fields, lineNumber) -> {
            String id;
            if (with512) {
                long seed = Cells.integer(fields.get(seedCol), SEED_NUMBER);
                long seq = Cells.integer(fields.get(seqCol), SEQUENCE_NUMBER);
                id = new Csap512Key(seed, seq).toId();
            } else {
                id = Long.toString(lineNumber);
            }
            long cap = Cells.integer(fields.get(capCol), CAPABILITY);
            if (cap < 0 || cap >= Algorithm.values().length) {
                throw new RowException(
                        "unknown capability code " + cap + " (expected 0-" + (Algorithm.values().length - 1) + ")");
            }
            Algorithm algorithm = Algorithm.fromCode((int) cap);
            Workload workload = null;
            String wlText = fields.get(wlCol);
            if (!wlText.isEmpty()) {
                long wl = Cells.integer(wlText, WORKLOAD_TYPE);
                if (wl < 0 || wl >= Workload.values().length) {
                    throw new RowException(
                            "unknown workload code " + wl + " (expected 0-" + (Workload.values().length - 1) + ")");
                }
                workload = Workload.fromCode((int) wl);
            }
            double[] raw = new double[raws.length];
            for (RawFeature f : raws) {
                if (rawCols[f.ordinal()] < 0) {
                    raw[f.ordinal()] = Double.NaN;
                    continue;
                }
                // Every CSAP input is a size, rate, entropy, count or availability: never negative.
                raw[f.ordinal()] = Cells.nonNegative(
                        Cells.optional(fields.get(rawCols[f.ordinal()]), f.csapColumn()), f.csapColumn());
            }
            double[] y = new double[targets.length];
            for (Target t : targets) {
                double v = Cells.optional(fields.get(targetCols[t.ordinal()]), t.csapColumn());
                // Time and data cannot be negative; PERF/CPU/MEM are differences and may be.
                if (t == Target.TT || t == Target.DT || t == Target.TD) {
                    Cells.nonNegative(v, t.csapColumn());
                }
                y[t.ordinal()] = v;
            }
            return new MigrationRecord(id, lineNumber, algorithm, workload, raw, y);
        };
    }
}
