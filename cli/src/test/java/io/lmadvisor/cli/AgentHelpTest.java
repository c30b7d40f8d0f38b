package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code lm-advisor agent --help} names every source, and every source's flags are described. */
class AgentHelpTest {
    private static final List<String> SOURCES = List.of("procfs", "qmp", "simulate", "replay");

    @Test
    void helpNamesEverySourceAsASubcommand() {
        StringWriter out = new StringWriter();
        CommandLine cli = LmAdvisor.commandLine();
        assertEquals(0, cli.setOut(new PrintWriter(out, true)).execute("agent", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        assertFalse(help.contains("not built"), help);
        assertEquals(
                SOURCES,
                List.copyOf(cli.getSubcommands().get("agent").getSubcommands().keySet()));
        for (String source : SOURCES) {
            assertTrue(help.contains(source + " ("), "source " + source + " is described: " + help);
        }
    }

    @Test
    void everyFlagOfEverySourceHasADescription() {
        for (CommandLine source : LmAdvisor.commandLine()
                .getSubcommands()
                .get("agent")
                .getSubcommands()
                .values()) {
            for (OptionSpec o : source.getCommandSpec().options()) {
                assertTrue(
                        o.description().length > 0 && !o.description()[0].isBlank(),
                        source.getCommandName() + " " + o.longestName());
            }
        }
    }

    @Test
    void sourcesHaveOnlyTheirOwnFlags() {
        var agent = LmAdvisor.commandLine().getSubcommands().get("agent").getSubcommands();
        assertTrue(agent.get("replay").getCommandSpec().findOption("--from-topic") != null);
        assertTrue(agent.get("simulate").getCommandSpec().findOption("--from-topic") == null);
        assertTrue(agent.get("qmp").getCommandSpec().findOption("--vms") == null);
        for (CommandLine source : agent.values()) {
            assertTrue(source.getCommandSpec().findOption("--bootstrap-servers") != null, source.getCommandName());
        }
    }
}
