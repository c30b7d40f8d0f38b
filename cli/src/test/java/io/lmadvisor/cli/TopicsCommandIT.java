package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code topics create} on a real broker: creates what is missing, and refuses to bless topics that differ. */
class TopicsCommandIT {
    private static int create(String bootstrap, StringWriter err) {
        return LmAdvisor.commandLine()
                .setErr(new PrintWriter(err, true))
                .execute("topics", "create", "--bootstrap-servers", bootstrap);
    }

    @Test
    void createsTheMissingTopicsAndNamesExistingOnesThatDiffer() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            // Made by hand beforehand: policies would be deleted by retention, samples skewed over 2 partitions.
            broker.createTopic(Topics.SLA_POLICIES, 6, false);
            broker.createTopic(Topics.VM_SAMPLES, 2, false);
            StringWriter err = new StringWriter();
            assertEquals(1, create(broker.bootstrapServers(), err));
            assertTrue(
                    err.toString().contains(Topics.SLA_POLICIES + " has cleanup.policy=delete, not compact"),
                    err.toString());
            assertTrue(err.toString().contains(Topics.VM_SAMPLES + " has 2 partitions, not 6"), err.toString());

            // The other topics were created all the same, so a second run only names the two again.
            StringWriter again = new StringWriter();
            assertEquals(1, create(broker.bootstrapServers(), again));
            assertTrue(again.toString().contains(Topics.VM_SAMPLES), again.toString());
            assertTrue(!again.toString().contains(Topics.VM_PROFILES), again.toString());
        }
    }

    @Test
    void aSecondRunOverCorrectTopicsSucceeds() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            assertEquals(0, create(broker.bootstrapServers(), new StringWriter()));
            StringWriter err = new StringWriter();
            assertEquals(0, create(broker.bootstrapServers(), err), err.toString());
        }
    }
}
