package io.lmadvisor.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentCommandTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one run. */
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = LmAdvisor.commandLine().execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsageError(String expectedText, String... args) {
        Run r = run(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expectedText), r.err());
    }

    @Test
    void procfsSamplesThisHostFromProc() {
        Run r = run("agent", "--source", "procfs", "--dry-run", "--duration", "3s", "--host-id", "this-host");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("procfs:"), "the capability self-test is reported: " + r.err());
        String hostLine = r.out().lines().filter(l -> l.contains("\"memTotalMb\"")).findFirst().orElseThrow(
                () -> new AssertionError("no host sample in " + r.out()));
        assertTrue(hostLine.contains("\"hostId\":\"this-host\""), hostLine);
    }

    @Test
    void qmpNeedsASocket() {
        assertUsageError("--source qmp needs --qmp-socket", "agent", "--source", "qmp", "--dry-run");
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertUsageError("--source must be one of", "agent", "--source", "proc", "--dry-run");
        assertUsageError("required unless --dry-run", "agent", "--source", "simulate");
        assertUsageError("exactly one of --file or --from-topic", "agent", "--source", "replay", "--dry-run");
        assertUsageError("compression must be", "agent", "--source", "simulate", "--dry-run", "--compression", "brotli");
        assertUsageError("not a size", "agent", "--source", "simulate", "--dry-run", "--spool-max-bytes", "lots");
        assertUsageError("--speed must be", "agent", "--source", "replay", "--dry-run", "--file", "x", "--speed", "fast");
        assertUsageError("are for --source replay", "agent", "--source", "simulate", "--dry-run", "--file", "x");
        assertUsageError("not a time", "agent", "--source", "replay", "--from-topic", "t", "--from", "yesterday");
    }

    @Test
    void replayingATopicIntoItselfIsRefused() {
        assertUsageError("feedback loop", "agent", "--source", "replay", "--from-topic", "lm.vm-samples",
                "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "mock://x");
        assertUsageError("feedback loop", "agent", "--source", "replay", "--from-topic", "lm.host-samples",
                "--from-bootstrap-servers", "a:1,B:2", "--bootstrap-servers", "b:2",
                "--schema-registry-url", "mock://x");
    }

    @Test
    void whatTheDryRunPrintsReplaysToTheSameLines() throws Exception {
        Run recorded = run("agent", "--source", "simulate", "--dry-run", "--duration", "2500ms",
                "--vms", "3", "--hosts", "2", "--status-every", "1h");
        assertEquals(0, recorded.code(), recorded.err());
        List<String> lines = Arrays.asList(recorded.out().split("\n"));
        assertTrue(lines.size() >= 10, "at least two ticks of 5 samples: " + lines.size());
        Path file = Files.write(dir.resolve("rec.jsonl"), lines);

        Run replayed = run("agent", "--source", "replay", "--file", file.toString(), "--speed", "max", "--dry-run",
                "--status-every", "1h");
        assertEquals(0, replayed.code(), replayed.err());
        assertEquals(lines, Arrays.asList(replayed.out().split("\n")));
        assertTrue(replayed.err().contains("taken " + lines.size() + ","), replayed.err());
    }
}
