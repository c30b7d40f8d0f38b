package io.lmadvisor.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lm-advisor agent --help} describes every source that exists, and every flag. */
class AgentHelpTest {
    @Test
    void helpNamesEverySourceAndNothingIsNotBuilt() {
        StringWriter out = new StringWriter();
        assertEquals(0, LmAdvisor.commandLine().setOut(new PrintWriter(out, true)).execute("agent", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        assertFalse(help.contains("not built"), help);
        for (String source : AgentSources.KNOWN) {
            assertTrue(help.contains(source + " ("), "source " + source + " is described: " + help);
            AgentSources.factory(source); // throws for an unknown name
        }
    }

    @Test
    void everyFlagHasADescription() {
        for (OptionSpec o : LmAdvisor.commandLine().getSubcommands().get("agent").getCommandSpec().options()) {
            assertTrue(o.description().length > 0 && !o.description()[0].isBlank(), o.longestName());
        }
    }
}
