package io.lmadvisor.agent.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.serde.AvroJsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON lines as {@code lm-advisor agent --dry-run} prints them (one VmSample or HostSample per
 * line, told apart by {@code vmId}), or as envelopes with {@code schema} and {@code value}
 * ({@code AvroJson.envelope}). Blank lines and lines starting with {@code #} are skipped; any other
 * unreadable line is reported as a problem with its line number.
 */
final class FileReplayInput implements ReplayInput {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private final BufferedReader reader;
    private long lineNumber;
    private long lastTimestampMs = Long.MIN_VALUE;

    FileReplayInput(Path file) {
        this.file = file;
        try {
            reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read replay file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Recorded next() {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                return parse(trimmed);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read replay file " + file + ": " + e.getMessage(), e);
        }
    }

    private Recorded parse(String line) {
        try {
            Recorded r = Recorded.of(parse(MAPPER.readTree(line)));
            return r.problem() == null ? r : Recorded.bad(where() + r.problem());
        } catch (JsonProcessingException e) {
            return Recorded.bad(where() + "not JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            return Recorded.bad(where() + e.getMessage());
        }
    }

    static org.apache.avro.specific.SpecificRecord parse(JsonNode node) {
        if (node.has("schema") && node.has("value")) {
            String schema = node.get("schema").asText();
            if (schema.equals(VmSample.getClassSchema().getFullName())) {
                return AvroJsonReader.read(node.get("value"), VmSample.class);
            }
            if (schema.equals(HostSample.getClassSchema().getFullName())) {
                return AvroJsonReader.read(node.get("value"), HostSample.class);
            }
            throw new IllegalArgumentException("schema " + schema + " is not a sample");
        }
        if (node.has("vmId")) {
            return AvroJsonReader.read(node, VmSample.class);
        }
        if (node.has("hostId")) {
            return AvroJsonReader.read(node, HostSample.class);
        }
        throw new IllegalArgumentException("neither a VmSample (vmId) nor a HostSample (hostId)");
    }

    private String where() {
        return file.getFileName() + ":" + lineNumber + ": ";
    }

    @Override
    public long lastTimestampMs() {
        if (lastTimestampMs == Long.MIN_VALUE) {
            // A separate pass, so the replay itself still streams the file.
            try (FileReplayInput scan = new FileReplayInput(file)) {
                Recorded r;
                while ((r = scan.next()) != null) {
                    lastTimestampMs = Math.max(lastTimestampMs, r.timestampMs());
                }
            }
        }
        return lastTimestampMs;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // read-only: nothing lost
        }
    }
}
