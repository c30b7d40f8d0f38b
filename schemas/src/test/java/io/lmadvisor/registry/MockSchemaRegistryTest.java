package io.lmadvisor.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {

    private static final String SUBJECT = "t-value";
    private static final Schema V1 = SchemaBuilder.record("R")
            .namespace("t")
            .fields()
            .requiredString("a")
            .endRecord();
    private static final Schema V2_DEFAULTED_B = SchemaBuilder.record("R")
            .namespace("t")
            .fields()
            .requiredString("a")
            .name("b")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();
    private static final Schema V3_REQUIRED_B = SchemaBuilder.record("R")
            .namespace("t")
            .fields()
            .requiredString("a")
            .requiredInt("b")
            .endRecord();
    private static final Schema WITHOUT_A = SchemaBuilder.record("R")
            .namespace("t")
            .fields()
            .name("b")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();

    @AfterEach
    void dropScopes() {
        MockSchemaRegistry.drop("mock-test");
    }

    /** What a durable registry relies on: changes reach the journal first, and a replay restores them. */
    @Test
    void aReplayedJournalRestoresIdsVersionsAndLevelsAndARefusedWriteChangesNothing() {
        List<Object[]> journal = new java.util.ArrayList<>();
        boolean[] refuse = {false};
        MockSchemaRegistry.Journal recorder = new MockSchemaRegistry.Journal() {
            @Override
            public void schemaVersion(String subject, int version, int id, String schemaText) {
                if (refuse[0]) {
                    throw new SchemaRegistryException("store down", 500, 50001);
                }
                journal.add(new Object[] {subject, version, id, schemaText});
            }

            @Override
            public void compatibility(String subject, String level) {
                journal.add(new Object[] {subject, level});
            }
        };
        MockSchemaRegistry first = new MockSchemaRegistry(recorder);
        first.setCompatibility(SUBJECT, "NONE");
        int v1 = first.register(SUBJECT, V1);
        int v3 = first.register(SUBJECT, V3_REQUIRED_B);
        int other = first.register("other-value", WITHOUT_A);
        assertEquals(v1, first.register(SUBJECT, V1));
        assertEquals(4, journal.size(), "a known schema writes nothing");
        refuse[0] = true;
        assertThrows(SchemaRegistryException.class, () -> first.register(SUBJECT, V2_DEFAULTED_B));
        assertEquals(List.of(v1, v3), first.versionIds(SUBJECT), "nothing applied that was not stored");

        MockSchemaRegistry restored = new MockSchemaRegistry(recorder);
        for (Object[] change : journal) {
            if (change.length == 2) {
                restored.restoreCompatibility((String) change[0], (String) change[1]);
            } else {
                restored.restoreVersion(
                        (String) change[0], (int) change[1], (int) change[2], (String) change[3], false);
            }
        }
        assertEquals(List.of(v1, v3), restored.versionIds(SUBJECT));
        assertEquals(List.of(other), restored.versionIds("other-value"));
        assertEquals("NONE", restored.configuredCompatibility(SUBJECT));
        assertEquals(null, restored.configuredCompatibility("other-value"));
        assertEquals(V3_REQUIRED_B, restored.getById(v3));
        refuse[0] = false;
        int next = restored.register(SUBJECT, V2_DEFAULTED_B);
        assertTrue(next > Math.max(v1, Math.max(v3, other)), "ids are never reused");
    }

    @Test
    void idsAreStableAndGlobalAcrossSubjects() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        int id = registry.register(SUBJECT, V1);

        assertEquals(id, registry.register(SUBJECT, V1));
        assertEquals(id, registry.register("other-value", V1));
        assertEquals(id, registry.getIdFor("other-value", V1));
        int next = registry.register(SUBJECT, V2_DEFAULTED_B);
        assertNotEquals(id, next);
        assertEquals(V1, registry.getById(id));
        assertEquals(V2_DEFAULTED_B, registry.getById(next));
        assertEquals(List.of(id, next), registry.versionIds(SUBJECT));
        assertEquals(List.of("other-value", SUBJECT), registry.subjects());
    }

    @Test
    void backwardRejectsNewRequiredFieldAndNoneAcceptsIt() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        assertEquals("BACKWARD", registry.getCompatibility(null));
        registry.register(SUBJECT, V1);

        assertFalse(registry.testCompatibility(SUBJECT, V3_REQUIRED_B));
        IncompatibleSchemaException e =
                assertThrows(IncompatibleSchemaException.class, () -> registry.register(SUBJECT, V3_REQUIRED_B));
        assertEquals(409, e.httpStatus());
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.getMessage());
        assertEquals(List.of(1), registry.versionIds(SUBJECT));

        registry.setCompatibility(SUBJECT, "NONE");
        assertEquals("NONE", registry.getCompatibility(SUBJECT));
        assertEquals("BACKWARD", registry.getCompatibility(null));
        assertTrue(registry.testCompatibility(SUBJECT, V3_REQUIRED_B));
        assertEquals(2, registry.register(SUBJECT, V3_REQUIRED_B));
    }

    @Test
    void transitiveLevelsCheckEveryVersion() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        registry.register(SUBJECT, V1);
        registry.register(SUBJECT, V2_DEFAULTED_B);

        // V3 can read V2 data (b present) but not V1 data (b missing, no default).
        assertTrue(registry.testCompatibility(SUBJECT, V3_REQUIRED_B));
        registry.setCompatibility(SUBJECT, "BACKWARD_TRANSITIVE");
        assertFalse(registry.testCompatibility(SUBJECT, V3_REQUIRED_B));
        assertThrows(IncompatibleSchemaException.class, () -> registry.register(SUBJECT, V3_REQUIRED_B));
    }

    @Test
    void forwardAndFullCheckTheOtherDirection() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        registry.register(SUBJECT, V1);
        // Dropping required field a: new data cannot be read by V1 readers.
        assertTrue(registry.testCompatibility(SUBJECT, WITHOUT_A));
        registry.setCompatibility(SUBJECT, "FORWARD");
        assertFalse(registry.testCompatibility(SUBJECT, WITHOUT_A));
        assertTrue(registry.testCompatibility(SUBJECT, V2_DEFAULTED_B));
        registry.setCompatibility(SUBJECT, "FULL");
        assertTrue(registry.testCompatibility(SUBJECT, V2_DEFAULTED_B));
        assertFalse(registry.testCompatibility(SUBJECT, V3_REQUIRED_B));
    }

    @Test
    void reportsTheSameErrorsAsTheRestClient() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        assertEquals(
                40403,
                assertThrows(SchemaNotFoundException.class, () -> registry.getById(99))
                        .errorCode());
        assertEquals(
                40401,
                assertThrows(SubjectNotFoundException.class, () -> registry.getIdFor(SUBJECT, V1))
                        .errorCode());
        registry.register(SUBJECT, V1);
        assertThrows(SchemaNotFoundException.class, () -> registry.getIdFor(SUBJECT, V2_DEFAULTED_B));
        SchemaRegistryException badLevel =
                assertThrows(SchemaRegistryException.class, () -> registry.setCompatibility(null, "SIDEWAYS"));
        assertEquals(42203, badLevel.errorCode());
        assertTrue(registry.testCompatibility("empty-value", V3_REQUIRED_B));
    }

    @Test
    void scopesAreSharedUntilDropped() {
        MockSchemaRegistry a = MockSchemaRegistry.forScope("mock-test");
        assertSame(a, MockSchemaRegistry.forScope("mock-test"));
        assertSame(a, SchemaRegistries.fromConfig(java.util.Map.of("schema.registry.url", "mock://mock-test")));
        int id = a.register(SUBJECT, V1);

        MockSchemaRegistry.drop("mock-test");
        MockSchemaRegistry fresh = MockSchemaRegistry.forScope("mock-test");
        assertNotSame(a, fresh);
        assertThrows(SchemaNotFoundException.class, () -> fresh.getById(id));
    }
}
