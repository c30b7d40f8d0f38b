package io.lmadvisor.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.RawFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsapWriterTest {
    @TempDir
    Path dir;

    /** Awkward doubles (tiny, huge, non-terminating binary fractions) and absent values; CSAP's columns only. */
    static List<MigrationRecord> sample(int n, long seed, boolean ids512) {
        Random rnd = new Random(seed);
        List<MigrationRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] raw = RawFeature.emptyVector();
            for (int j = 0; j < raw.length; j++) {
                if (RawFeature.values()[j].inCsap() && rnd.nextInt(6) != 0) {
                    raw[j] = switch (rnd.nextInt(4)) {
                        case 0 -> rnd.nextDouble();
                        case 1 -> rnd.nextDouble() * 1e-9;
                        case 2 -> Math.floor(rnd.nextDouble() * 1e12);
                        default -> 0.1 * rnd.nextInt(1000);
                    };
                }
            }
            double[] y = MigrationRecord.emptyTargets();
            y[Target.TT.ordinal()] = 1000 + rnd.nextDouble() * 1e5;
            y[Target.DT.ordinal()] = rnd.nextInt(500);
            y[Target.TD.ordinal()] = 1e9 * rnd.nextDouble();
            if (i % 2 == 0) {
                y[Target.PERF.ordinal()] = -rnd.nextDouble();
                y[Target.MEM.ordinal()] = rnd.nextGaussian() * 100;
            }
            Workload w = i % 7 == 0 ? null : Workload.fromCode(i % 9);
            String id = ids512 ? new Csap512Key(i % 3, i).toId() : Integer.toString(i + 2);
            out.add(new MigrationRecord(id, 0, Algorithm.fromCode(i % 5), w, raw, y));
        }
        return out;
    }

    private static void assertSameValues(List<MigrationRecord> expected, List<MigrationRecord> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            MigrationRecord e = expected.get(i);
            MigrationRecord a = actual.get(i);
            assertEquals(e.algorithm(), a.algorithm());
            assertEquals(e.workload(), a.workload());
            assertArrayEquals(e.raw(), a.raw(), "raw of row " + i);
            assertArrayEquals(e.targets(), a.targets(), "targets of row " + i);
        }
    }

    @Test
    void csapRoundTripsExactly() throws IOException {
        List<MigrationRecord> records = sample(200, 1, false);
        Path f = dir.resolve("out.csv");
        CsapWriter.writeAll(f, DatasetFormat.CSAP, records);
        Dataset back = DatasetFormat.CSAP.read(f, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL));
        assertSameValues(records, back.records());
        // csap ids are line numbers; the sample used the same numbering, so the data is identical.
        assertEquals(DatasetFingerprint.of(records), DatasetFingerprint.of(back.records()));
    }

    @Test
    void csap512RoundTripsIdsToo() throws IOException {
        List<MigrationRecord> records = sample(100, 2, true);
        Path f = dir.resolve("out.csv.gz");
        CsapWriter.writeAll(f, DatasetFormat.CSAP512, records);
        Dataset back = DatasetFormat.CSAP512.read(f, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL));
        assertSameValues(records, back.records());
        assertEquals(
                records.stream().map(MigrationRecord::id).toList(),
                back.records().stream().map(MigrationRecord::id).toList());
        assertEquals(DatasetFingerprint.of(records), DatasetFingerprint.of(back.records()));
    }

    @Test
    void headerIsTheReadersColumns() throws IOException {
        StringWriter sw = new StringWriter();
        new CsapWriter(sw, DatasetFormat.CSAP).close();
        String header = sw.toString().trim();
        assertTrue(header.startsWith("capability,workload_type,VM_size,VM_pdr,"), header);
        // Our columns CSAP lacks come after all of CSAP's, so CSAP's positions are unchanged.
        assertTrue(header.endsWith("qemu_tt,qemu_dt,qemu_td,performance,used_cpu_src,used_mem_src,VM_vcpus"), header);
    }

    @Test
    void vcpusRoundTripAndAbsentVcpusStayAbsent() throws IOException {
        List<MigrationRecord> records = new ArrayList<>(sample(20, 8, true));
        for (int i = 0; i < records.size(); i += 2) {
            MigrationRecord r = records.get(i);
            double[] raw = r.raw().clone();
            raw[RawFeature.VCPUS.ordinal()] = 1 + i % 4;
            records.set(i, new MigrationRecord(r.id(), 0, r.algorithm(), r.workload(), raw, r.targets()));
        }
        Path f = dir.resolve("vcpus.csv");
        CsapWriter.writeAll(f, DatasetFormat.CSAP512, records);
        Dataset back = DatasetFormat.CSAP512.read(f, ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL));
        assertSameValues(records, back.records());
        assertEquals(3.0, back.records().get(6).raw(RawFeature.VCPUS));
        assertTrue(Double.isNaN(back.records().get(1).raw(RawFeature.VCPUS)));
    }

    @Test
    void refusesWhatItCannotWriteFaithfully() throws IOException {
        assertThrows(
                IllegalArgumentException.class, () -> new CsapWriter(new StringWriter(), DatasetFormat.CSAP_SUBSET));
        CsapWriter w = new CsapWriter(new StringWriter(), DatasetFormat.CSAP512);
        MigrationRecord lineId = sample(1, 3, false).get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(lineId));
        assertTrue(e.getMessage().contains("seed:sequence"));
    }
}
