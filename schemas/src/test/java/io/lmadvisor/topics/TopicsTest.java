package io.lmadvisor.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmSample;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void allListsEveryNameConstantOnce() throws IllegalAccessException {
        Set<String> constants = new TreeSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        List<String> listed = Topics.all().stream().map(TopicSpec::name).toList();
        assertEquals(11, constants.size());
        assertEquals(constants, new TreeSet<>(listed));
        assertEquals(listed.size(), constants.size(), "duplicate in Topics.all()");
    }

    @Test
    void onlySlaPoliciesAreCompacted() {
        Set<String> compacted = Topics.all().stream()
                .filter(TopicSpec::compacted)
                .map(TopicSpec::name)
                .collect(Collectors.toSet());
        assertEquals(Set.of("lm.sla-policies"), compacted);
        TopicSpec policies = Topics.byName(Topics.SLA_POLICIES).orElseThrow();
        assertEquals(SlaPolicy.class, policies.valueType());
        assertEquals(Map.of("cleanup.policy", "compact"), policies.topicConfigs());
        assertEquals("lm.sla-policies-value", policies.valueSubject());
    }

    @Test
    void vmKeyedTopicsAreCoPartitioned() {
        for (TopicSpec spec : Topics.all()) {
            if (spec.keyDescription().startsWith("vmId")) {
                assertEquals(Topics.VM_KEYED_PARTITIONS, spec.defaultPartitions(), spec.name());
            }
        }
        assertEquals(
                VmSample.class, Topics.byName("lm.vm-samples").orElseThrow().valueType());
        assertTrue(Topics.byName("nope").isEmpty());
    }

    @Test
    void specRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("t", "k", null, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec(" ", "k", null, false, 1));
    }
}
