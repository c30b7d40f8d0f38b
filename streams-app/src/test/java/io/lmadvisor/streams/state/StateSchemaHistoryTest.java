package io.lmadvisor.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * Guards the formats of the advisor's internal state, as SchemaHistoryTest guards the topics': every state
 * schema has its committed versions, the newest is the current one, and the current one reads them all.
 */
class StateSchemaHistoryTest {
    private static final List<Schema> CURRENT = List.of(
            io.lmadvisor.avro.state.VmWindowState.getClassSchema(),
            io.lmadvisor.avro.state.RiskState.getClassSchema(),
            io.lmadvisor.avro.state.HistoryWindow.getClassSchema(),
            io.lmadvisor.avro.state.CellAccumulator.getClassSchema(),
            io.lmadvisor.avro.state.OutcomeError.getClassSchema());
    private static final Path MAIN = Path.of("src/main");

    /** Incompatibilities of {@code reader} with each version in {@code history}; empty when it reads them all. */
    static List<String> backwardProblems(Schema reader, List<Schema> history) {
        List<String> problems = new ArrayList<>();
        for (int v = 1; v <= history.size(); v++) {
            SchemaCompatibility.SchemaPairCompatibility c =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, history.get(v - 1));
            if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                problems.add("v" + v + ": " + c.getResult().getIncompatibilities());
            }
        }
        return problems;
    }

    @Test
    void everyStateSchemaReadsItsWholeHistory() {
        for (Schema current : CURRENT) {
            List<Schema> history = StateSchemas.history(current); // throws when the newest is not the current
            assertEquals(List.of(), backwardProblems(current, history), current.getName());
        }
    }

    @Test
    void everySchemaFileAndHistoryIsAStateSchema() throws IOException {
        Set<String> names = CURRENT.stream().map(Schema::getName).collect(Collectors.toCollection(TreeSet::new));
        try (Stream<Path> files = Files.list(MAIN.resolve("avro"))) {
            assertEquals(
                    names,
                    files.map(f -> f.getFileName().toString().replace(".avsc", ""))
                            .collect(Collectors.toCollection(TreeSet::new)));
        }
        try (Stream<Path> dirs = Files.list(MAIN.resolve("resources").resolve(StateSchemas.ROOT))) {
            assertEquals(
                    names, dirs.map(d -> d.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    @Test
    void anOlderVersionsBytesReadWithTheCurrentSchemasDefaults() throws IOException {
        List<Schema> history = StateSchemas.history(probe("state-schemas/Probe/v2.avsc"));
        GenericRecord v1 = new GenericData.Record(history.get(0));
        v1.put("count", 7L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(StateSerde.MAGIC);
        bytes.write(1);
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(history.get(0)).write(v1, out);
        out.flush();

        Serde<GenericRecord> serde = StateSerde.of(history.get(1), Function.identity(), Function.identity());
        GenericRecord back = serde.deserializer().deserialize("t", bytes.toByteArray());
        assertEquals(7L, back.get("count"));
        assertEquals("unknown", back.get("hostId").toString());

        byte[] again = serde.serializer().serialize("t", back);
        assertEquals(2, again[1], "written as the current version");
        byte[] future = again.clone();
        future[1] = 3;
        SerializationException e = assertThrows(
                SerializationException.class, () -> serde.deserializer().deserialize("t", future));
        assertTrue(e.getMessage().contains("format version 3"), e.getMessage());
    }

    @Test
    void checksCanFail() throws IOException {
        Schema required = probe("state-schema-fixtures/Probe-required-field.avsc");
        List<Schema> history = StateSchemas.history(probe("state-schemas/Probe/v2.avsc"));
        List<String> problems = backwardProblems(required, history);
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE"), problems.get(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateSchemas.history(required));
        assertTrue(e.getMessage().contains("without a new snapshot"), e.getMessage());
    }

    private static Schema probe(String resource) throws IOException {
        try (InputStream in = StateSchemaHistoryTest.class.getClassLoader().getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        }
    }
}
