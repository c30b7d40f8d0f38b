package io.lmadvisor.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.VmSample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroJsonTest {
    @Test
    void fieldNamesMatchTheSchemaAndUnionsAreUnwrapped() throws Exception {
        VmSample s = VmSample.newBuilder()
                .setVmId("vm-1")
                .setHostId("h")
                .setTimestamp(Instant.parse("2026-01-01T00:00:00Z"))
                .setMemorySizeMb(1024)
                .setVmSizeMb(512.5)
                .setDirtiedPagesPerSec(10)
                .setCpuUtilPercent(3)
                .setChangedPageEntropy(0.25)
                .build();
        JsonNode line = new ObjectMapper().readTree(AvroJson.envelope("lm.vm-samples", "vm-1", 2, 7, s));
        assertEquals("lm.vm-samples", line.get("topic").asText());
        assertEquals(7, line.get("offset").asLong());
        JsonNode v = line.get("value");
        assertEquals(VmSample.getClassSchema().getFields().size(), v.size());
        assertEquals("2026-01-01T00:00:00Z", v.get("timestamp").asText());
        assertEquals(0.25, v.get("changedPageEntropy").asDouble(), 0);
        assertTrue(v.get("instructionsPerSec").isNull());
    }
}
