package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every class of user error is one sentence naming the flag, file or setting, with exit code 2 (usage) or 1. */
class CliErrorsTest {
    @TempDir
    Path dir;

    private record Run(int code, String err) {
        /** The one line printed, after checking that there is exactly one. */
        String line() {
            List<String> lines = err.strip()
                    .lines()
                    .filter(l -> !l.startsWith("lm-advisor model: ") && !l.startsWith("lm-advisor simulate: "))
                    .toList();
            assertEquals(1, lines.size(), "one line: " + err);
            return lines.get(0);
        }
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = LmAdvisor.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(code, err.toString());
    }

    @Test
    void aNonNumericFlagNamesTheFlag() {
        Run r = run("demo", "--vms", "abc");
        assertEquals(2, r.code());
        assertEquals(
                "lm-advisor demo: Invalid value for option '--vms': 'abc' is not an int."
                        + " See 'lm-advisor demo --help'.",
                r.line());
    }

    @Test
    void anUnknownFlagIsOneLine() {
        Run r = run("agent", "simulate", "--replay-file", "x");
        assertEquals(2, r.code());
        assertTrue(r.line().startsWith("lm-advisor agent simulate: Unknown options: '--replay-file', 'x'."), r.err());
    }

    @Test
    void aBadCellParamIsOneLineBeforeAnyTraining() throws Exception {
        Path subset = java.nio.file.Files.writeString(dir.resolve("subset.csv"), "not read: the flag fails first\n");
        Run r = run(
                "model",
                "train-prior",
                "--subset",
                subset.toString(),
                "--cell-param",
                "POST.TD:depth=9",
                "--out",
                dir.resolve("p.lmm").toString());
        assertEquals(2, r.code());
        assertTrue(
                r.line()
                        .startsWith(
                                "lm-advisor model train-prior: --cell-param for POST.TD: unknown gbt parameter 'depth'"),
                r.err());
    }

    @Test
    void aDirectoryWhereAFileIsReadNamesTheFlagAndPath() {
        Run r = run(
                "model",
                "train",
                "--format",
                "csap",
                "--data",
                dir.toString(),
                "--out",
                dir.resolve("m.lmm").toString());
        assertEquals(2, r.code());
        assertEquals("lm-advisor model train: --data " + dir + " is a directory; it must name a file.", r.line());
        Run model = run("demo", "--model", dir.toString());
        assertEquals(2, model.code());
        assertEquals("lm-advisor demo: --model " + dir + " is a directory; it must name a file.", model.line());
    }

    @Test
    void aDirectoryWhereAFileIsWrittenNamesTheFlag() {
        Run r = run("simulate", "dataset", "--rows", "10", "--out", dir.toString());
        assertEquals(2, r.code());
        assertEquals(
                "lm-advisor simulate dataset: --out " + dir + " is a directory; it must name a file to write.",
                r.line());
    }

    @Test
    void aMissingFileNamesTheFlag() {
        Path missing = dir.resolve("missing.lmm");
        Run r = run("model", "explain", "--model", missing.toString());
        assertEquals(2, r.code());
        assertEquals("lm-advisor model explain: --model " + missing + " does not exist.", r.line());
        Path data = dir.resolve("missing.csv");
        Run d = run(
                "model",
                "train",
                "--format",
                "csap",
                "--data",
                data.toString(),
                "--out",
                dir.resolve("m.lmm").toString());
        assertEquals(2, d.code());
        assertEquals("lm-advisor model train: --data " + data + " does not exist.", d.line());
    }

    @Test
    void aFileThatIsNoModelIsNamed() throws Exception {
        Path notModel = Files.writeString(dir.resolve("notes.txt"), "not a model");
        Run r = run("model", "explain", "--model", notModel.toString());
        assertEquals(1, r.code());
        assertEquals(
                "lm-advisor model explain: model file " + notModel + " is not a usable model: not a model"
                        + " artifact: no manifest.json.",
                r.line());
    }

    private Path dataset(boolean withBadRow) throws Exception {
        Path good = dir.resolve("good.csv");
        assertEquals(
                0,
                run("simulate", "dataset", "--rows", "40", "--out", good.toString())
                        .code());
        if (!withBadRow) {
            return good;
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(good));
        lines.add(5, "1,2,abc");
        return Files.write(dir.resolve("bad.csv"), lines);
    }

    @Test
    void aWrongCsvRowNamesTheFileAndLine() throws Exception {
        Path bad = dataset(true);
        Run r = run(
                "model",
                "train",
                "--format",
                "csap",
                "--data",
                bad.toString(),
                "--out",
                dir.resolve("m.lmm").toString(),
                "--learner",
                "analytic",
                "--bad-rows",
                "fail");
        assertEquals(1, r.code());
        assertEquals("lm-advisor model train: " + bad + ": line 6: expected 23 fields, found 3.", r.line());
    }

    @Test
    void aNonNumericValueInsideAFlagNamesTheFlag() throws Exception {
        Run r = run(
                "model",
                "train",
                "--format",
                "csap",
                "--data",
                dataset(false).toString(),
                "--out",
                dir.resolve("m.lmm").toString(),
                "--param",
                "rounds=abc");
        assertEquals(1, r.code());
        assertEquals("lm-advisor model train: --param rounds=abc: 'abc' is not a number.", r.line());
    }

    @Test
    void aBadSettingInTheConfigFileNamesTheSetting() throws Exception {
        Path config = Files.writeString(
                dir.resolve("executor.properties"),
                "bootstrap.servers=127.0.0.1:1\nschema.registry.url=http://127.0.0.1:1\nlm.executor.execute.fraction=abc\n");
        Run r = run("executor", "--config", config.toString());
        assertEquals(2, r.code());
        // ConfigDefs.parse: Kafka's ConfigDef wording, with what is valid instead of the Java type.
        assertEquals(
                "lm-advisor executor: Invalid value abc for configuration lm.executor.execute.fraction:"
                        + " must be a number in [0, 1].",
                r.line());
    }

    @Test
    void aBusyPortIsOneLineNamingTheFlagAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Run r = run("broker", "--port", String.valueOf(port), "--registry-port", "-1");
            assertEquals(1, r.code());
            assertEquals(
                    "lm-advisor broker: --port " + port + " is in use by another process; stop it or choose"
                            + " another --port.",
                    r.line());
        }
    }

    @Test
    void aTimeThatIsNoTimeIsAUsageErrorNamingTheFlag() {
        Run r = run(
                "model",
                "export-training-data",
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--since",
                "abc",
                "--out",
                dir.resolve("rows.csv").toString());
        assertEquals(2, r.code());
        assertEquals(
                "lm-advisor model export-training-data: --since abc: 'abc' is not a duration;"
                        + " use e.g. 30s, 2m, 1h or 500ms.",
                r.line());
    }

    @Test
    void noStackTraceWithoutVerbose() throws Exception {
        Path notModel = Files.writeString(dir.resolve("x.lmm"), "x");
        Run r = run("model", "explain", "--model", notModel.toString());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}
