package io.lmadvisor.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.RawFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsapReaderTest {
    @TempDir
    Path dir;

    /** A row as column name → cell text, with distinct values per column so mix-ups show. */
    static Map<String, String> row(int capability, int workload, int salt) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("capability", Integer.toString(capability));
        m.put("workload_type", Integer.toString(workload));
        int i = 1;
        for (RawFeature f : RawFeature.values()) {
            if (f.inCsap()) {
                m.put(f.csapColumn(), Double.toString(salt * 1000 + i * 1.5));
                i++;
            }
        }
        m.put("qemu_tt", Integer.toString(5000 + salt));
        m.put("qemu_dt", Integer.toString(200 + salt));
        m.put("qemu_td", Long.toString(1_000_000_000L + salt));
        m.put("performance", "-0.05");
        m.put("used_cpu_src", "12.5");
        m.put("used_mem_src", "-3");
        return m;
    }

    static Path write(Path file, List<String> columns, List<Map<String, String>> rows) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, String> r : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) {
                cells.add(r.get(c));
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        Files.writeString(file, sb);
        return file;
    }

    static List<String> csapColumns() {
        return new ArrayList<>(row(0, 0, 0).keySet());
    }

    @Test
    void readsValuesInCsapUnitsByHeaderName() throws IOException {
        Path f = write(dir.resolve("a.csv"), csapColumns(), List.of(row(2, 5, 1), row(4, 0, 2)));
        Dataset ds = DatasetFormat.CSAP.read(f, ReadOptions.defaults());

        assertEquals(2, ds.rowsRead());
        assertTrue(ds.badRows().isEmpty());
        MigrationRecord r = ds.records().get(0);
        assertEquals(Algorithm.XBZRLE, r.algorithm());
        assertEquals(Workload.DACAPO, r.workload());
        assertEquals("2", r.id());
        assertEquals(2, r.lineNumber());
        assertEquals(1000 + 1.5, r.raw(RawFeature.VM_SIZE));
        assertEquals(1000 + 8 * 1.5, r.raw(RawFeature.PTR));
        assertEquals(5001, r.target(Target.TT));
        assertEquals(201, r.target(Target.DT));
        assertEquals(1_000_000_001.0, r.target(Target.TD));
        assertEquals(-0.05, r.target(Target.PERF));
        assertEquals(12.5, r.target(Target.CPU));
        assertEquals(-3, r.target(Target.MEM));
        assertEquals(Algorithm.POSTCOPY, ds.records().get(1).algorithm());
        assertEquals(Workload.IDLE, ds.records().get(1).workload());
    }

    @Test
    void vcpusIsOptionalInTheHeaderAndAtTheEndOfARow() throws IOException {
        // A CSAP file without the column: absent.
        Path csap = write(dir.resolve("csap.csv"), csapColumns(), List.of(row(0, 1, 1)));
        Dataset plain = DatasetFormat.CSAP.read(csap, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL));
        assertTrue(Double.isNaN(plain.records().get(0).raw(RawFeature.VCPUS)));
        // Under our header, a row written before the column existed (one field short) and one that has it.
        StringBuilder sb = new StringBuilder(CsapWriter.header(DatasetFormat.CSAP)).append('\n');
        String old = String.join(",", row(0, 1, 1).values());
        sb.append(old).append('\n').append(old).append(",1\n");
        Path mixed = Files.writeString(dir.resolve("mixed.csv"), sb);
        Dataset ds = DatasetFormat.CSAP.read(mixed, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL));
        assertTrue(Double.isNaN(ds.records().get(0).raw(RawFeature.VCPUS)));
        assertEquals(1.0, ds.records().get(1).raw(RawFeature.VCPUS));
        // Two fields short is still a bad row.
        Files.writeString(
                mixed, CsapWriter.header(DatasetFormat.CSAP) + "\n" + old.substring(0, old.lastIndexOf(',')) + "\n");
        assertEquals(
                1,
                DatasetFormat.CSAP.read(mixed, ReadOptions.defaults()).badRows().size());
    }

    @Test
    void columnOrderDoesNotMatter() throws IOException {
        List<Map<String, String>> rows = List.of(row(0, 1, 1), row(1, 2, 2), row(3, 8, 3));
        List<String> shuffled = csapColumns();
        Collections.shuffle(shuffled, new Random(7));
        // An extra column the format does not know is ignored.
        shuffled.add(3, "comment");
        for (Map<String, String> r : rows) {
            r.put("comment", "x");
        }
        Dataset inOrder =
                DatasetFormat.CSAP.read(write(dir.resolve("a.csv"), csapColumns(), rows), ReadOptions.defaults());
        Dataset mixed = DatasetFormat.CSAP.read(write(dir.resolve("b.csv"), shuffled, rows), ReadOptions.defaults());

        assertEquals(3, mixed.records().size());
        for (int i = 0; i < 3; i++) {
            MigrationRecord a = inOrder.records().get(i);
            MigrationRecord b = mixed.records().get(i);
            assertEquals(a.algorithm(), b.algorithm());
            assertEquals(a.workload(), b.workload());
            assertArrayEquals(a.raw(), b.raw());
            assertArrayEquals(a.targets(), b.targets());
        }
    }

    @Test
    void missingColumnIsAnErrorNamingIt() throws IOException {
        List<String> cols = csapColumns();
        cols.remove("VM_wse");
        Path f = write(dir.resolve("a.csv"), cols, List.of(row(0, 0, 1)));
        DatasetException e =
                assertThrows(DatasetException.class, () -> DatasetFormat.CSAP.read(f, ReadOptions.defaults()));
        assertTrue(e.getMessage().contains("'VM_wse'"), e.getMessage());
    }

    @Test
    void emptyCellsAreAbsentValues() throws IOException {
        Map<String, String> r = row(0, 0, 1);
        r.put("VM_wss", "");
        r.put("performance", "NaN");
        r.put("workload_type", "");
        Dataset ds =
                DatasetFormat.CSAP.read(write(dir.resolve("a.csv"), csapColumns(), List.of(r)), ReadOptions.defaults());
        MigrationRecord rec = ds.records().get(0);
        assertTrue(Double.isNaN(rec.raw(RawFeature.WSS)));
        assertFalse(rec.has(Target.PERF));
        assertNull(rec.workload());
    }

    /** Rows 3..9 are bad, each for one reason; lines 2 and 10 are good. */
    private Path fileWithBadRows() throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        rows.add(row(0, 0, 1));
        Map<String, String> r;
        r = row(0, 0, 2);
        r.put("VM_pdr", "12;5");
        rows.add(r); // line 3
        r = row(0, 0, 3);
        r.put("VM_size", "-4");
        rows.add(r); // line 4
        r = row(7, 0, 4);
        rows.add(r); // line 5
        r = row(0, 9, 5);
        rows.add(r); // line 6
        r = row(0, 0, 6);
        r.put("qemu_dt", "Infinity");
        rows.add(r); // line 7
        r = row(0, 0, 7);
        r.put("qemu_tt", "-1");
        rows.add(r); // line 8
        r = row(0, 0, 8);
        r.put("capability", "1.5");
        rows.add(r); // line 9
        rows.add(row(1, 1, 9)); // line 10
        Path f = write(dir.resolve("bad.csv"), csapColumns(), rows);
        // Line 11: too few fields.
        Files.writeString(f, Files.readString(f) + "1,2,3\n");
        return f;
    }

    @Test
    void skipPolicyReportsEveryBadRowWithLineAndReason() throws IOException {
        Dataset ds = DatasetFormat.CSAP.read(
                fileWithBadRows(), ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.SKIP));
        assertEquals(10, ds.rowsRead());
        assertEquals(2, ds.records().size());
        assertEquals(
                List.of(2L, 10L),
                ds.records().stream().map(MigrationRecord::lineNumber).toList());
        List<BadRow> bad = ds.badRows();
        assertEquals(
                List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 11L),
                bad.stream().map(BadRow::lineNumber).toList());
        assertTrue(
                bad.get(0).reason().contains("unparseable number '12;5'")
                        && bad.get(0).reason().contains("VM_pdr"),
                bad.get(0).reason());
        assertTrue(
                bad.get(1).reason().contains("negative") && bad.get(1).reason().contains("VM_size"),
                bad.get(1).reason());
        assertTrue(
                bad.get(2).reason().contains("unknown capability code 7"),
                bad.get(2).reason());
        assertTrue(
                bad.get(3).reason().contains("unknown workload code 9"),
                bad.get(3).reason());
        assertTrue(
                bad.get(4).reason().contains("non-finite")
                        && bad.get(4).reason().contains("qemu_dt"),
                bad.get(4).reason());
        assertTrue(
                bad.get(5).reason().contains("negative") && bad.get(5).reason().contains("qemu_tt"),
                bad.get(5).reason());
        assertTrue(
                bad.get(6).reason().contains("non-integer")
                        && bad.get(6).reason().contains("capability"),
                bad.get(6).reason());
        assertTrue(
                bad.get(7).reason().contains("expected 22 fields, found 3"),
                bad.get(7).reason());
    }

    @Test
    void failPolicyStopsAtTheFirstBadRow() throws IOException {
        Path f = fileWithBadRows();
        DatasetException e = assertThrows(
                DatasetException.class,
                () -> DatasetFormat.CSAP.read(f, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL)));
        assertEquals(3, e.lineNumber());
        assertTrue(e.reason().contains("VM_pdr"), e.reason());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void csap512KeepsSeedAndSequenceInTheId() throws IOException {
        List<String> cols = csapColumns();
        cols.add(0, "sequence_number");
        cols.add("seed_number");
        Map<String, String> a = row(0, 0, 1);
        a.put("seed_number", "3");
        a.put("sequence_number", "17");
        Map<String, String> b = row(1, 0, 2);
        b.put("seed_number", "x");
        b.put("sequence_number", "18");
        Dataset ds =
                DatasetFormat.CSAP512.read(write(dir.resolve("a.csv"), cols, List.of(a, b)), ReadOptions.defaults());
        assertEquals("3:17", ds.records().get(0).id());
        assertEquals(
                new Csap512Key(3, 17), Csap512Key.fromId(ds.records().get(0).id()));
        assertEquals(1, ds.badRows().size());
        assertTrue(ds.badRows().get(0).reason().contains("seed_number"));

        // csap512 needs its two extra columns; plain csap ignores them.
        Path plain = write(dir.resolve("b.csv"), csapColumns(), List.of(row(0, 0, 1)));
        DatasetException e =
                assertThrows(DatasetException.class, () -> DatasetFormat.CSAP512.read(plain, ReadOptions.defaults()));
        assertTrue(e.getMessage().contains("seed_number"));
    }

    @Test
    void progressIsReportedEveryNRows() throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            rows.add(row(i % 5, i % 9, i));
        }
        Path f = write(dir.resolve("a.csv"), csapColumns(), rows);
        List<Long> calls = new ArrayList<>();
        DatasetFormat.CSAP.read(f, ReadOptions.defaults().withProgress(10, (n, bad) -> calls.add(n)));
        assertEquals(List.of(10L, 20L), calls);
    }

    @Test
    void blankLinesAreNotRowsAndLineNumbersStayPhysical() throws IOException {
        Path f = write(dir.resolve("a.csv"), csapColumns(), List.of(row(0, 0, 1)));
        String body = Files.readString(f);
        String firstRow = body.substring(body.indexOf('\n') + 1);
        Files.writeString(f, body + "\n" + firstRow.replace("\n", "\r\n") + "\n\n");
        Dataset ds = DatasetFormat.CSAP.read(f, ReadOptions.defaults());
        assertEquals(2, ds.rowsRead());
        assertEquals(
                List.of(2L, 4L),
                ds.records().stream().map(MigrationRecord::lineNumber).toList());
    }

    @Test
    void formatNamesParse() {
        assertEquals(DatasetFormat.CSAP_SUBSET, DatasetFormat.parse("csap-subset"));
        assertEquals(DatasetFormat.CSAP512, DatasetFormat.parse("CSAP512"));
        assertEquals("csap", DatasetFormat.CSAP.cliName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetFormat.parse("parquet"));
        assertTrue(e.getMessage().contains("csap-subset"));
    }
}
