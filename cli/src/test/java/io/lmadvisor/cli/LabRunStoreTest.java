package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.lab.WorkloadOutput;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.data.BadRowPolicy;
import io.lmadvisor.model.data.CsapReader;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.features.RawFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabRunStoreTest {
    @TempDir
    Path dir;

    private static MigrationRecord row(long seed, long seq, Algorithm a, double ttMs) {
        double[] raw = RawFeature.emptyVector();
        double[] y = LabRunStore.nanTargets();
        y[Target.TT.ordinal()] = ttMs;
        y[Target.TD.ordinal()] = 1e8;
        return new MigrationRecord(seed + ":" + seq, 0, a, null, raw, y);
    }

    private static LabRunStore.Meta meta(
            long seed,
            long seq,
            String workload,
            Algorithm a,
            String status,
            Boolean ok,
            String choice,
            double predictedTtMs) {
        double[] p = LabRunStore.nanTargets();
        p[Target.TT.ordinal()] = predictedTtMs;
        return new LabRunStore.Meta(
                seed,
                seq,
                workload,
                a,
                status,
                ok,
                choice,
                "lab-" + workload,
                "2026-11-30T18:00:00Z",
                "10.0.2",
                "tcg",
                2,
                0.5,
                2000,
                1800,
                p,
                "m1",
                null);
    }

    @Test
    void aDatasetFromBeforeVcpusIsUpgradedInPlaceAndGrowsUnderOneHeader() throws Exception {
        LabRunStore s = LabRunStore.open(dir.resolve("lab.csv"));
        s.append(
                row(1, 1, Algorithm.PRECOPY, 1000),
                meta(1, 1, "a", Algorithm.PRECOPY, "completed", true, "POSTCOPY", 2000));
        // Rewrite it as the code before VM_vcpus wrote it: CSAP's columns only.
        List<String> now = Files.readAllLines(dir.resolve("lab.csv"));
        String legacyHeader = String.join(",", CsapReader.csapOnlyColumns(DatasetFormat.CSAP512));
        Files.write(
                dir.resolve("lab.csv"),
                List.of(legacyHeader, now.get(1).substring(0, now.get(1).lastIndexOf(','))));

        LabRunStore again = LabRunStore.open(dir.resolve("lab.csv"));
        assertTrue(again.done("a", Algorithm.PRECOPY));
        MigrationRecord withVcpus = row(1, 2, Algorithm.POSTCOPY, 500);
        withVcpus.raw()[RawFeature.VCPUS.ordinal()] = 1;
        again.append(withVcpus, meta(1, 2, "a", Algorithm.POSTCOPY, "completed", true, "POSTCOPY", 500));

        assertEquals(
                CsapWriter.header(DatasetFormat.CSAP512),
                Files.readAllLines(dir.resolve("lab.csv")).get(0));
        Dataset d = DatasetFormat.CSAP512.read(
                dir.resolve("lab.csv"), ReadOptions.defaults().withBadRowPolicy(BadRowPolicy.FAIL));
        assertTrue(Double.isNaN(d.records().get(0).raw(RawFeature.VCPUS)), "the old row does not know");
        assertEquals(1.0, d.records().get(1).raw(RawFeature.VCPUS));
        assertEquals(1000.0, d.records().get(0).target(Target.TT));
    }

    @Test
    void appendsAndResumesAcrossSessions() throws Exception {
        LabRunStore s = LabRunStore.open(dir.resolve("lab.csv"));
        assertEquals(1, s.seedOf("a"));
        s.append(
                row(1, 1, Algorithm.PRECOPY, 1000),
                meta(1, 1, "a", Algorithm.PRECOPY, "completed", true, "POSTCOPY", 2000));
        s.append(
                row(1, 2, Algorithm.POSTCOPY, 500),
                meta(1, 2, "a", Algorithm.POSTCOPY, "completed", true, "POSTCOPY", 500));

        LabRunStore again = LabRunStore.open(dir.resolve("lab.csv"));
        assertTrue(again.done("a", Algorithm.PRECOPY));
        assertFalse(again.done("a", Algorithm.XBZRLE));
        assertFalse(again.done("b", Algorithm.PRECOPY));
        assertEquals(1, again.seedOf("a"), "a workload keeps its seed");
        assertEquals(2, again.seedOf("b"), "a new workload gets the next one");
        assertEquals(3, again.nextSequence(1));
        again.append(
                row(2, 1, Algorithm.PRECOPY, 900), meta(2, 1, "b", Algorithm.PRECOPY, "completed", true, null, 900));

        // One header, three rows the project's reader accepts as csap512.
        List<String> lines = Files.readAllLines(dir.resolve("lab.csv"));
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).startsWith("seed_number,sequence_number,"), lines.get(0));
        Dataset d = DatasetFormat.CSAP512.read(dir.resolve("lab.csv"), ReadOptions.defaults());
        assertEquals(List.of(), d.badRows());
        assertEquals(3, d.records().size());
    }

    @Test
    void summaryJudgesOnlyCompletedIntactRunsAndScoresPredictions() throws Exception {
        LabRunStore s = LabRunStore.open(dir.resolve("lab.csv"));
        s.append(
                row(1, 1, Algorithm.PRECOPY, 1000),
                meta(1, 1, "w", Algorithm.PRECOPY, "completed", true, "PRECOPY", 2000));
        // Faster, but its destination failed verification: not the best.
        s.append(
                row(1, 2, Algorithm.XBZRLE, 100),
                meta(1, 2, "w", Algorithm.XBZRLE, "completed", false, "PRECOPY", 100));
        s.append(
                row(1, 3, Algorithm.POSTCOPY, 800),
                meta(1, 3, "w", Algorithm.POSTCOPY, "completed", true, "PRECOPY", 400));
        s.append(
                row(1, 4, Algorithm.AUTO_CONVERGE, Double.NaN),
                meta(1, 4, "w", Algorithm.AUTO_CONVERGE, "non-converged", null, "PRECOPY", 10));

        LabRunStore.WorkloadSummary w = s.workloadSummaries().get(0);
        assertEquals("POSTCOPY", w.realBest());
        assertEquals(800, w.bestTotalTimeMs());
        assertEquals("PRECOPY", w.advisorChoice());
        assertEquals(1000.0, w.advisorTotalTimeMs());
        assertFalse(w.agrees());

        // |1 - 2000/1000| = 1 and |1 - 400/800| = 0.5; the failed and non-converged runs are left out.
        assertEquals(1.0, s.gmre().get(Algorithm.PRECOPY).get(Target.TT)[0], 1e-9);
        assertEquals(0.5, s.gmre().get(Algorithm.POSTCOPY).get(Target.TT)[0], 1e-9);
        assertTrue(Double.isNaN(s.gmre().get(Algorithm.XBZRLE).get(Target.TT)[0]));
        assertTrue(Double.isNaN(s.gmre().get(Algorithm.AUTO_CONVERGE).get(Target.TT)[0]));

        String md = s.writeSummary();
        assertTrue(md.contains("| w | 4 | POSTCOPY | 800 | PRECOPY | 1000 |"), md);
        assertTrue(md.contains("in 0 of 1"), md);
        assertTrue(Files.readString(dir.resolve("lab.summary.json")).contains("\"realBest\" : \"POSTCOPY\""));
    }

    @Test
    void refusesAFolderOfSomethingElse() throws Exception {
        Files.writeString(dir.resolve("lab.csv"), "a,b,c\n1,2,3\n");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LabRunStore.open(dir.resolve("lab.csv")));
        assertTrue(e.getMessage().contains("csap512 header"), e.getMessage());
        Path notCsv = dir.resolve("f");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabRunStore.open(notCsv))
                .getMessage()
                .contains("must name the dataset's .csv file"));
        Path folder = Files.createDirectories(dir.resolve("x.csv"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabRunStore.open(folder))
                .getMessage()
                .contains("is a folder"));
    }

    @Test
    void perfIsTheWorkloadsOwnSlowdown() {
        List<WorkloadOutput.Rate> before = List.of(rate(2000, 0), rate(2000, 0));
        assertEquals(0.25, LabRun.perf(before, List.of(rate(1500, 0))), 1e-9);
        assertEquals(0.0, LabRun.perf(before, List.of(rate(2100, 0))), 1e-9, "never negative");
        // A workload that dirties nothing but computes: its work units.
        assertEquals(0.5, LabRun.perf(List.of(rate(0, 100)), List.of(rate(0, 50))), 1e-9);
        assertTrue(Double.isNaN(LabRun.perf(List.of(rate(0, 0)), List.of(rate(0, 0)))), "idle: not measurable");
        assertTrue(Double.isNaN(LabRun.perf(before, List.of())));
    }

    @Test
    void algorithmsListAcceptsNamesAndShortNames() {
        assertEquals(List.of(Algorithm.PRECOPY, Algorithm.POSTCOPY), LabRun.algorithms("PRE, postcopy,PRECOPY"));
        assertEquals(5, LabRun.algorithms(null).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabRun.algorithms("PRE,fast"));
        assertTrue(e.getMessage().startsWith("--algorithms 'fast' is not an algorithm"), e.getMessage());
    }

    @Test
    void progressLineSaysWhatHappened() {
        io.lmadvisor.avro.MigrationOutcome o = io.lmadvisor.avro.MigrationOutcome.newBuilder()
                .setMigrationId("m")
                .setVmId("lab-w")
                .setAlgorithm(io.lmadvisor.avro.MigrationAlgorithm.POSTCOPY)
                .setSourceHostId("lab-src")
                .setDestinationHostId("lab-dst")
                .setBandwidthMBps(33.5)
                .setStartTime(java.time.Instant.EPOCH)
                .setEndTime(java.time.Instant.EPOCH)
                .setStatus(io.lmadvisor.avro.MigrationStatus.COMPLETED)
                .setTotalTimeMs(11_000L)
                .setDowntimeMs(7L)
                .setTransferredBytes(150L << 20)
                .setPerformanceDegradation(0.2)
                .build();
        assertEquals(
                "[3/36] hot16-8k-rnd POSTCOPY: completed TT 11.0 s DT 7 ms TD 150.0 MiB PERF 0.20; integrity OK;"
                        + " advisor: PRECOPY",
                LabRun.line(3, 36, new LabRun.RunResult("hot16-8k-rnd", Algorithm.POSTCOPY, o, true, "PRECOPY")));
    }

    private static WorkloadOutput.Rate rate(long pages, long ops) {
        return new WorkloadOutput.Rate(0, pages, ops, 0, true);
    }
}
