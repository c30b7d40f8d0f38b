package io.lmadvisor.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lmadvisor.schemas.SchemaHistory.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards the topic contracts: every schema change must stay BACKWARD compatible with all
 * committed versions and must be committed as a new snapshot.
 */
class SchemaHistoryTest {

    private static final Path FIXTURES = Path.of("src/test/resources/schema-fixtures");

    static Stream<String> schemaNames() throws IOException {
        return SchemaHistory.currentSchemas().keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("schemaNames")
    void newestSnapshotIsTheCurrentSchema(String name) throws IOException {
        Schema current = SchemaHistory.currentSchemas().get(name);
        List<Version> history = SchemaHistory.history(name);
        Optional<String> mismatch = SchemaHistory.snapshotMismatch(current, history);
        if (mismatch.isPresent() && SchemaHistory.updateRequested()) {
            SchemaHistory.writeNext(name, current, history);
            return;
        }
        mismatch.ifPresent(m -> fail(name + ": " + m));
    }

    @ParameterizedTest
    @MethodSource("schemaNames")
    void currentSchemaReadsEveryCommittedVersion(String name) throws IOException {
        Schema current = SchemaHistory.currentSchemas().get(name);
        List<Version> history = SchemaHistory.history(name);
        assertFalse(history.isEmpty(), name + " has no committed snapshot");
        assertEquals(
                List.of(),
                SchemaHistory.backwardProblems(current, history),
                name + " is not BACKWARD compatible with its history");
    }

    @Test
    void everyHistoryBelongsToACurrentSchema() throws IOException {
        Set<String> current = SchemaHistory.currentSchemas().keySet();
        Set<String> histories;
        try (Stream<Path> dirs = Files.list(SchemaHistory.HISTORY_DIR)) {
            histories = dirs.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(new TreeSet<>(current), histories);
    }

    @Test
    void snapshotsAreSelfContainedAndNamedAfterTheirSchema() throws IOException {
        for (Map.Entry<String, Schema> e : SchemaHistory.currentSchemas().entrySet()) {
            for (Version v : SchemaHistory.history(e.getKey())) {
                assertEquals(
                        e.getValue().getFullName(),
                        v.schema().getFullName(),
                        v.file().toString());
            }
        }
    }

    // The checks must be able to fail: run them on deliberately broken variants of VmSample.

    @Test
    void checkerRejectsANewFieldWithoutDefault() throws IOException {
        List<String> problems = SchemaHistory.backwardProblems(
                SchemaHistory.parse(FIXTURES.resolve("VmSample-required-field.avsc")),
                SchemaHistory.history("VmSample"));
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE"), problems.get(0));
        assertTrue(problems.get(0).contains("numaNodes"), problems.get(0));
    }

    @Test
    void checkerRejectsAChangedFieldType() throws IOException {
        List<String> problems = SchemaHistory.backwardProblems(
                SchemaHistory.parse(FIXTURES.resolve("VmSample-type-change.avsc")), SchemaHistory.history("VmSample"));
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("TYPE_MISMATCH"), problems.get(0));
        assertTrue(problems.get(0).contains("writer type: LONG"), problems.get(0));
    }

    @Test
    void checkerAcceptsANewOptionalFieldButDemandsASnapshot() throws IOException {
        Schema evolved = SchemaHistory.parse(FIXTURES.resolve("VmSample-optional-field.avsc"));
        List<Version> history = SchemaHistory.history("VmSample");

        assertEquals(List.of(), SchemaHistory.backwardProblems(evolved, history));
        assertTrue(SchemaHistory.snapshotMismatch(evolved, history).isPresent());
    }
}
