package io.lmadvisor.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TopicSetTest {

    @Test
    void liveNamesAreTopicsOwn() {
        for (TopicSpec spec : Topics.all()) {
            assertTrue(spec.name().startsWith(TopicSet.LIVE_PREFIX), spec.name());
            assertEquals(spec.name(), TopicSet.LIVE.of(spec.name()));
        }
    }

    @Test
    void aPrefixedSetSwapsOnlyThePrefix() {
        TopicSet replay = TopicSet.prefixed("lm.backtest.r1.");
        assertEquals("lm.backtest.r1.vm-samples", replay.of(Topics.VM_SAMPLES));
        assertEquals("lm.backtest.r1.dead-letters", replay.of(Topics.DEAD_LETTERS));
    }

    @Test
    void refusesTheLivePrefixAndForeignTopics() {
        assertThrows(IllegalArgumentException.class, () -> TopicSet.prefixed("lm."));
        assertThrows(IllegalArgumentException.class, () -> TopicSet.prefixed(" "));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TopicSet.LIVE.of("other.topic"));
        assertEquals("not an advisor topic: other.topic", e.getMessage());
    }
}
