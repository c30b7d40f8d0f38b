package io.lmadvisor.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmSample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroJsonReaderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void whatAvroJsonWritesReadsBackEqual() throws Exception {
        for (VmSample s : new VmSample[] {Samples.vmSample(), Samples.sparseVmSample()}) {
            String line = AvroJson.write(AvroJson.toJson(s));
            assertEquals(s, AvroJsonReader.read(MAPPER.readTree(line), VmSample.class));
        }
        HostSample h = Samples.hostSample();
        assertEquals(h, AvroJsonReader.read(AvroJson.toJson(h), HostSample.class));
        // Nested records, enums and arrays too.
        MigrationRecommendation r = Samples.recommendation();
        assertEquals(
                r,
                AvroJsonReader.read(
                        MAPPER.readTree(AvroJson.write(AvroJson.toJson(r))), MigrationRecommendation.class));
    }

    @Test
    void nonFiniteDoublesEpochMillisAndDefaults() throws Exception {
        ObjectNode n = (ObjectNode) AvroJson.toJson(Samples.vmSample());
        n.put("dirtiedPagesPerSec", "NaN");
        n.put("timestamp", 1_700_000_000_000L);
        n.remove("source");
        VmSample s = AvroJsonReader.read(n, VmSample.class);
        assertTrue(Double.isNaN(s.getDirtiedPagesPerSec()));
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), s.getTimestamp());
        assertNull(s.getSource(), "missing optional field takes its default");
    }

    @Test
    void badInputNamesTheField() {
        ObjectNode n = (ObjectNode) AvroJson.toJson(Samples.vmSample());
        n.put("memorySizeMb", "lots");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AvroJsonReader.read(n, VmSample.class));
        assertTrue(e.getMessage().contains("memorySizeMb"), e.getMessage());
        n.remove("memorySizeMb");
        e = assertThrows(IllegalArgumentException.class, () -> AvroJsonReader.read(n, VmSample.class));
        assertTrue(e.getMessage().contains("memorySizeMb is missing"), e.getMessage());
    }
}
