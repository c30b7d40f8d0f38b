package io.lmadvisor.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcfsCapabilitiesTest {
    @Test
    void selfTestOnOwnProcessReadsBackAndGivesASoftDirtyVerdict() {
        ProcfsCapabilities c = ProcfsCapabilities.probe(Path.of("/proc"));
        assertTrue(c.contentSampling(), c.message());
        assertTrue(
                c.message().contains(c.softDirty() ? "soft-dirty: works" : "soft-dirty: not supported")
                        || c.message().contains("soft-dirty: undetermined"),
                c.message());
        assertFalse(c.instructionsPerSec());
        System.out.println("capabilities: " + c.message());
    }

    @Test
    void selfTestWithoutAProcTreeFailsSoftly(@TempDir Path empty) {
        ProcfsCapabilities c = ProcfsCapabilities.probe(empty);
        assertFalse(c.contentSampling());
        assertFalse(c.softDirty());
        assertTrue(c.message().contains("self-test failed"), c.message());
    }
}
