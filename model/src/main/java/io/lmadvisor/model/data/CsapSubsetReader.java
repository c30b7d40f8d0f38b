package io.lmadvisor.model.data;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.RawFeature;
import java.util.HashMap;
import java.util.Map;

/**
 * The public 10-column CSAP subset ({@code csap-subset}), converted to CSAP units: dirty rate from
 * 4 KiB pages/s to MB/s, transferred data from KB to bytes.
 *
 * <p>{@value #AVAILABLE_BANDWIDTH} is deliberately not read: it is the throughput measured during
 * the migration (an outcome, lower for compress), so using it as an input would leak the answer.
 * The reader does not even require the column.
 */
public final class CsapSubsetReader extends CsvDatasetReader {
    public static final String MIGRATION_ID = "Migration ID";
    public static final String TECHNIQUE = "Migration Technique";
    public static final String WORKLOAD = "Workload";
    public static final String AVAILABLE_BANDWIDTH = "Available Network Bandwidth (mbps)";
    public static final String PAGE_DIRTY_RATE = "Page Dirty Rate (4KB pages per second)";
    public static final String VM_SIZE = "VM_SIZE (MB)";
    public static final String PAGE_TRANSFER_RATE = "Page transfer rate (MB/s)";
    public static final String TOTAL_TIME = "Total Migration Time (ms)";
    public static final String DOWNTIME = "Downtime (ms)";
    public static final String TRANSFERRED_DATA = "Total Transferred Data (KB)";

    static final double BYTES_PER_KB = 1024.0;

    CsapSubsetReader() {}

    @Override
    public DatasetFormat format() {
        return DatasetFormat.CSAP_SUBSET;
    }

    /** 4 KiB pages per second to MB/s (MB = 2^20 bytes, as CSAP uses). */
    public static double pagesPerSecondToMBps(double pagesPerSecond) {
        return io.lmadvisor.model.features.Pages.toMb(pagesPerSecond);
    }

    public static double kilobytesToBytes(double kb) {
        return kb * BYTES_PER_KB;
    }

    @Override
    RowParser parser(Header header, String source) throws DatasetException {
        int idCol = header.require(MIGRATION_ID, source);
        int techCol = header.require(TECHNIQUE, source);
        int wlCol = header.require(WORKLOAD, source);
        int pdrCol = header.require(PAGE_DIRTY_RATE, source);
        int sizeCol = header.require(VM_SIZE, source);
        int ptrCol = header.require(PAGE_TRANSFER_RATE, source);
        int ttCol = header.require(TOTAL_TIME, source);
        int dtCol = header.require(DOWNTIME, source);
        int tdCol = header.require(TRANSFERRED_DATA, source);
        // The README says IDs are unique; a repeat means a concatenated or corrupted file.
        Map<String, Long> firstLineById = new HashMap<>();

        return (fields, lineNumber) -> {
            String id = fields.get(idCol);
            if (id.isEmpty()) {
                throw new RowException("missing value in column '" + MIGRATION_ID + "'");
            }
            Algorithm algorithm;
            Workload workload;
            try {
                algorithm = Algorithm.parse(fields.get(techCol));
            } catch (IllegalArgumentException e) {
                throw new RowException(e.getMessage());
            }
            try {
                workload = Workload.parse(fields.get(wlCol));
            } catch (IllegalArgumentException e) {
                throw new RowException(e.getMessage());
            }
            double pdrPages = Cells.nonNegative(Cells.required(fields.get(pdrCol), PAGE_DIRTY_RATE), PAGE_DIRTY_RATE);
            double sizeMb = Cells.positive(Cells.required(fields.get(sizeCol), VM_SIZE), VM_SIZE);
            double ptrMBps = Cells.positive(Cells.required(fields.get(ptrCol), PAGE_TRANSFER_RATE), PAGE_TRANSFER_RATE);
            double ttMs = Cells.nonNegative(Cells.required(fields.get(ttCol), TOTAL_TIME), TOTAL_TIME);
            double dtMs = Cells.nonNegative(Cells.required(fields.get(dtCol), DOWNTIME), DOWNTIME);
            double tdKb = Cells.nonNegative(Cells.required(fields.get(tdCol), TRANSFERRED_DATA), TRANSFERRED_DATA);

            Long first = firstLineById.putIfAbsent(id, lineNumber);
            if (first != null) {
                throw new RowException("duplicate " + MIGRATION_ID + " '" + id + "' (first on line " + first + ")");
            }
            double[] raw = RawFeature.emptyVector();
            raw[RawFeature.VM_SIZE.ordinal()] = sizeMb;
            raw[RawFeature.PDR.ordinal()] = pagesPerSecondToMBps(pdrPages);
            raw[RawFeature.PTR.ordinal()] = ptrMBps;
            double[] y = MigrationRecord.emptyTargets();
            y[Target.TT.ordinal()] = ttMs;
            y[Target.DT.ordinal()] = dtMs;
            y[Target.TD.ordinal()] = kilobytesToBytes(tdKb);
            return new MigrationRecord(id, lineNumber, algorithm, workload, raw, y);
        };
    }
}
