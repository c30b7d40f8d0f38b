package io.lmadvisor.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.Csap512Key;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.features.RawFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void csapOutputReadsBackWithoutBadRows() throws Exception {
        Path out = dir.resolve("sim.csv");
        List<long[]> progress = new ArrayList<>();
        long n = DatasetGenerator.generate(
                25_000, 42, DatasetFormat.CSAP, out, (w, t) -> progress.add(new long[] {w, t}));
        assertEquals(25_000, n);
        Dataset ds = DatasetFormat.CSAP.read(out, ReadOptions.defaults());
        assertEquals(0, ds.badRows().size());
        assertEquals(25_000, ds.records().size());
        assertEquals(
                List.of(10_000L, 20_000L, 25_000L),
                progress.stream().map(p -> p[0]).toList());
        Set<Algorithm> algorithms = EnumSet.noneOf(Algorithm.class);
        for (MigrationRecord r : ds.records()) {
            algorithms.add(r.algorithm());
            for (Target t : Target.values()) {
                assertTrue(r.has(t), "every target present");
            }
            for (RawFeature f : RawFeature.values()) {
                assertFalse(Double.isNaN(r.raw(f)), "every feature present");
            }
        }
        assertEquals(EnumSet.allOf(Algorithm.class), algorithms);
    }

    @Test
    void csap512MigratesEachVmWithAllFiveAlgorithms() throws Exception {
        Path out = dir.resolve("sim512.csv.gz");
        DatasetGenerator.generate(1_000, 7, DatasetFormat.CSAP512, out, DatasetGenerator.Progress.NONE);
        Dataset ds = DatasetFormat.CSAP512.read(out, ReadOptions.defaults());
        assertEquals(0, ds.badRows().size());
        assertEquals(1_000, ds.records().size());
        Map<Long, List<MigrationRecord>> bySeed = new HashMap<>();
        for (MigrationRecord r : ds.records()) {
            bySeed.computeIfAbsent(Csap512Key.fromId(r.id()).seed(), k -> new ArrayList<>())
                    .add(r);
        }
        assertEquals(200, bySeed.size());
        for (List<MigrationRecord> group : bySeed.values()) {
            assertEquals(5, group.size());
            Set<Algorithm> algorithms = EnumSet.noneOf(Algorithm.class);
            for (MigrationRecord r : group) {
                algorithms.add(r.algorithm());
                assertEquals(r.algorithm().code(), Csap512Key.fromId(r.id()).sequence());
                // Same VM and hosts in every row of the group.
                assertArrayEquals(group.get(0).raw(), r.raw());
            }
            assertEquals(EnumSet.allOf(Algorithm.class), algorithms);
        }
    }

    @Test
    void sameSeedSameFileOtherSeedOtherFile() throws Exception {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        Path c = dir.resolve("c.csv");
        DatasetGenerator.generate(2_000, 5, DatasetFormat.CSAP, a, DatasetGenerator.Progress.NONE);
        DatasetGenerator.generate(2_000, 5, DatasetFormat.CSAP, b, DatasetGenerator.Progress.NONE);
        DatasetGenerator.generate(2_000, 6, DatasetFormat.CSAP, c, DatasetGenerator.Progress.NONE);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
    }
}
