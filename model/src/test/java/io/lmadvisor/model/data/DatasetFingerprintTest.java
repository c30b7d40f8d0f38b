package io.lmadvisor.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.features.RawFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DatasetFingerprintTest {
    @Test
    void dependsOnValuesNotOrder() {
        List<MigrationRecord> records = CsapWriterTest.sample(50, 5, true);
        String fp = DatasetFingerprint.of(records);
        assertTrue(fp.matches("[0-9a-f]{64}"), fp);

        List<MigrationRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(1));
        assertEquals(fp, DatasetFingerprint.of(shuffled));

        MigrationRecord r = records.get(10);
        double[] raw = r.raw().clone();
        raw[RawFeature.PTR.ordinal()] =
                Math.nextUp(Double.isNaN(raw[RawFeature.PTR.ordinal()]) ? 1 : raw[RawFeature.PTR.ordinal()]);
        List<MigrationRecord> changed = new ArrayList<>(records);
        changed.set(10, new MigrationRecord(r.id(), r.lineNumber(), r.algorithm(), r.workload(), raw, r.targets()));
        assertNotEquals(fp, DatasetFingerprint.of(changed));

        List<MigrationRecord> renamed = new ArrayList<>(records);
        renamed.set(
                10,
                new MigrationRecord(r.id() + "0", r.lineNumber(), r.algorithm(), r.workload(), r.raw(), r.targets()));
        assertNotEquals(fp, DatasetFingerprint.of(renamed));

        assertNotEquals(fp, DatasetFingerprint.of(records.subList(0, 49)));
        // A duplicated row is more data, not the same data.
        List<MigrationRecord> doubled = new ArrayList<>(records);
        doubled.add(records.get(0));
        assertNotEquals(fp, DatasetFingerprint.of(doubled));
    }

    @Test
    void rowsWithoutVcpusKeepTheFingerprintTheyHadBeforeTheColumnExisted() {
        List<MigrationRecord> records = CsapWriterTest.sample(50, 5, true);
        // Computed by the code before RawFeature.VCPUS existed: committed models name their data by it.
        assertEquals(
                "94952783c429052ef11010cc7900c810bf4fe880966a7985a663a05335242286", DatasetFingerprint.of(records));
        MigrationRecord r = records.get(3);
        double[] raw = r.raw().clone();
        raw[RawFeature.VCPUS.ordinal()] = 2;
        List<MigrationRecord> known = new ArrayList<>(records);
        known.set(3, new MigrationRecord(r.id(), 0, r.algorithm(), r.workload(), raw, r.targets()));
        assertNotEquals(DatasetFingerprint.of(records), DatasetFingerprint.of(known), "a known count is data");
    }

    @Test
    void lineNumberIsProvenanceNotData() {
        MigrationRecord r = CsapWriterTest.sample(1, 6, true).get(0);
        MigrationRecord moved = new MigrationRecord(r.id(), 999, r.algorithm(), r.workload(), r.raw(), r.targets());
        assertEquals(DatasetFingerprint.of(List.of(r)), DatasetFingerprint.of(List.of(moved)));
    }
}
