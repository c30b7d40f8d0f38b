package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LmAdvisorTest {
    private static CommandLine cli(StringWriter out, StringWriter err) {
        return LmAdvisor.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    }

    @Test
    void everyPlannedSubcommandExists() {
        CommandLine cli = cli(new StringWriter(), new StringWriter());
        for (String name : new String[] {
            "demo", "broker", "streams", "agent", "executor", "topics", "model", "simulate", "backtest"
        }) {
            assertTrue(cli.getSubcommands().containsKey(name), "subcommand " + name);
        }
    }

    @Test
    void backtestRejectsATimeItCannotRead() {
        StringWriter err = new StringWriter();
        int code = cli(new StringWriter(), err)
                .execute("backtest", "--from", "yesterday", "--to", "now", "--model", "m.lmm");
        assertEquals(2, code);
        assertTrue(err.toString().contains("now-2h"), err.toString());
    }

    @Test
    void backtestTimesAreIsoOrRelativeToNow() {
        BacktestCommand.TimeConverter c = new BacktestCommand.TimeConverter();
        assertEquals(java.time.Instant.parse("2026-11-24T10:00:00Z"), c.convert("2026-11-24T10:00:00Z"));
        java.time.Instant ago = c.convert("now-2h");
        long diffS = java.time.Duration.between(ago, java.time.Instant.now()).toSeconds();
        assertTrue(diffS >= 7199 && diffS <= 7210, "now-2h was " + diffS + " s ago");
    }

    @Test
    void demoRejectsAFleetWithoutADestination() {
        assertEquals(2, cli(new StringWriter(), new StringWriter()).execute("demo", "--hosts", "1"));
    }

    @Test
    void durationsReadAsHumansWriteThem() {
        assertEquals(Duration.ofSeconds(30), DurationConverter.parse("30s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("PT90S"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("soon"));
    }

    @Test
    void badDurationIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = cli(new StringWriter(), err).execute("demo", "--duration", "forever");
        assertEquals(2, code);
        assertTrue(err.toString().contains("not a duration"), err.toString());
    }

    @Test
    void theAgentDryRunPrintsSamplesWithTheSchemasFieldNames() throws Exception {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            code = LmAdvisor.commandLine()
                    .execute(
                            "agent",
                            "simulate",
                            "--dry-run",
                            "--duration",
                            "1500ms",
                            "--vms",
                            "3",
                            "--hosts",
                            "2",
                            "--status-every",
                            "1h");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        String[] lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertTrue(lines.length >= 5, "at least one second of 3 VMs and 2 hosts: " + lines.length);
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        long vmLines = 0;
        for (String l : lines) {
            var node = mapper.readTree(l);
            if (node.has("vmId")) {
                vmLines++;
                assertTrue(node.has("dirtiedPagesPerSec") && node.has("vmSizeMb") && node.has("timestamp"), l);
            }
        }
        assertTrue(vmLines >= 3, "VM samples: " + vmLines);
    }

    @Test
    void agentPublishingNeedsACluster() {
        assertTrue(LmAdvisor.commandLine().execute("agent", "simulate") != 0, "publishing needs a cluster");
    }
}
