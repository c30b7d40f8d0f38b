package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one run. */
    private record Run(int code, String out, String err) {}

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
        Run r = run("agent", "procfs", "--dry-run", "--duration", "3s", "--host-id", "this-host");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("procfs:"), "the capability self-test is reported: " + r.err());
        String hostLine = r.out()
                .lines()
                .filter(l -> l.contains("\"memTotalMb\""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no host sample in " + r.out()));
        assertTrue(hostLine.contains("\"hostId\":\"this-host\""), hostLine);
    }

    @Test
    void qmpNeedsASocket() {
        assertUsageError("Missing required argument", "agent", "qmp", "--dry-run");
    }

    @Test
    void badFlagsAreUsageErrorsFromPicocli() {
        assertUsageError("Missing source", "agent");
        assertUsageError("Unknown options: '--vms'", "agent", "--vms", "3");
        assertUsageError("required unless --dry-run", "agent", "simulate");
        assertUsageError("Missing required argument", "agent", "replay", "--dry-run");
        assertUsageError("mutually exclusive", "agent", "replay", "--dry-run", "--file", "x", "--from-topic", "t");
        assertUsageError(
                "expected one of [LZ4, ZSTD, GZIP, SNAPPY, NONE]",
                "agent",
                "simulate",
                "--dry-run",
                "--compression",
                "brotli");
        assertUsageError("not a size", "agent", "simulate", "--dry-run", "--spool-max-bytes", "lots");
        assertUsageError("--speed must be", "agent", "replay", "--dry-run", "--file", "x", "--speed", "fast");
        assertUsageError("Unknown options: '--file', 'x'", "agent", "simulate", "--dry-run", "--file", "x");
        assertUsageError("Unknown options: '--vms', '3'", "agent", "procfs", "--dry-run", "--vms", "3");
        assertUsageError("not a time", "agent", "replay", "--from-topic", "t", "--from", "yesterday");
        assertUsageError("--vms must be at least 1", "agent", "simulate", "--dry-run", "--vms", "0");
        assertUsageError("--duration must be positive", "agent", "simulate", "--dry-run", "--duration", "0s");
        assertUsageError("--status-every must be positive", "agent", "simulate", "--dry-run", "--status-every", "-1s");
        assertUsageError(
                "--delivery-timeout must be at least 1s",
                "agent",
                "simulate",
                "--dry-run",
                "--delivery-timeout",
                "10ms");
        assertUsageError(
                "--metrics-port must be 0..65535", "agent", "simulate", "--dry-run", "--metrics-port", "70000");
        assertUsageError("--sampled-pages must be at least 1", "agent", "procfs", "--dry-run", "--sampled-pages", "0");
        assertUsageError(
                "--link-speed-mbps must be positive", "agent", "procfs", "--dry-run", "--link-speed-mbps", "0");
        assertUsageError(
                "--sampled-pages must be at least 0 (0 = QMP only)",
                "agent",
                "qmp",
                "--dry-run",
                "--qmp-socket",
                "/nonexistent.qmp",
                "--sampled-pages",
                "-1");
    }

    @Test
    void theOldSourceFlagStillRunsTheSubcommand() {
        Run r = run(
                "agent",
                "--source",
                "simulate",
                "--dry-run",
                "--duration",
                "1500ms",
                "--vms",
                "2",
                "--hosts",
                "1",
                "--status-every",
                "1h");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("use 'lm-advisor agent simulate ...'"), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("\"vmId\"")), r.out());
        assertUsageError("--source must be one of procfs, qmp, simulate, replay: proc", "agent", "--source", "proc");
        assertUsageError("Unknown options: '--file', 'x'", "agent", "--source", "simulate", "--dry-run", "--file", "x");
    }

    @Test
    void replayingATopicIntoItselfIsRefused() {
        assertUsageError(
                "feedback loop",
                "agent",
                "replay",
                "--from-topic",
                "lm.vm-samples",
                "--bootstrap-servers",
                "127.0.0.1:9092",
                "--schema-registry-url",
                "mock://x");
        assertUsageError(
                "feedback loop",
                "agent",
                "replay",
                "--from-topic",
                "lm.host-samples",
                "--from-bootstrap-servers",
                "a:1,B:2",
                "--bootstrap-servers",
                "b:2",
                "--schema-registry-url",
                "mock://x");
        assertUsageError(
                "--from must be before --to",
                "agent",
                "replay",
                "--dry-run",
                "--from-topic",
                "t",
                "--from-bootstrap-servers",
                "a:1",
                "--from-schema-registry-url",
                "mock://x",
                "--from",
                "2026-11-24T10:00:00Z",
                "--to",
                "2026-11-24T09:00:00Z");
    }

    @Test
    void whatTheDryRunPrintsReplaysToTheSameLines() throws Exception {
        Run recorded = run(
                "agent",
                "simulate",
                "--dry-run",
                "--duration",
                "2500ms",
                "--vms",
                "3",
                "--hosts",
                "2",
                "--status-every",
                "1h");
        assertEquals(0, recorded.code(), recorded.err());
        List<String> lines = Arrays.asList(recorded.out().split("\n"));
        assertTrue(lines.size() >= 10, "at least two ticks of 5 samples: " + lines.size());
        Path file = Files.write(dir.resolve("rec.jsonl"), lines);

        Run replayed = run(
                "agent", "replay", "--file", file.toString(), "--speed", "max", "--dry-run", "--status-every", "1h");
        assertEquals(0, replayed.code(), replayed.err());
        assertEquals(lines, Arrays.asList(replayed.out().split("\n")));
        assertTrue(replayed.err().contains("taken " + lines.size() + ","), replayed.err());
    }
}
