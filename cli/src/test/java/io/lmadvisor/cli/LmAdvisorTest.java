package io.lmadvisor.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LmAdvisorTest {
    private static CommandLine cli(StringWriter out, StringWriter err) {
        return LmAdvisor.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    }

    @Test
    void everyPlannedSubcommandExists() {
        CommandLine cli = cli(new StringWriter(), new StringWriter());
        for (String name : new String[] {"demo", "broker", "streams", "agent", "model", "simulate", "backtest"}) {
            assertTrue(cli.getSubcommands().containsKey(name), "subcommand " + name);
        }
    }

    @Test
    void unbuiltSubcommandSaysSoAndFails() {
        int code = cli(new StringWriter(), new StringWriter()).execute("backtest", "--from", "x");
        assertEquals(NotBuiltYet.EXIT_NOT_BUILT, code);
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
}
