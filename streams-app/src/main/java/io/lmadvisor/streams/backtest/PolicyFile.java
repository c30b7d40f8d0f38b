package io.lmadvisor.streams.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.serde.AvroTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * SLA policies for a backtest, as a JSON object from vmId (or {@code default}) to a policy whose fields
 * are {@link SlaPolicy}'s: {@code {"default": {"maxDowntimeMs": 300, "objective": "MIN_TOTAL_TIME"}}}.
 */
public final class PolicyFile {
    private PolicyFile() {}

    public static Map<String, SlaPolicy> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read policy file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object from vmId to SLA policy");
        }
        Map<String, SlaPolicy> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), policy(file + ": " + e.getKey(), e.getValue()));
        }
        return out;
    }

    static SlaPolicy policy(String where, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected an object");
        }
        AvroTrust.install(); // the builder instantiates the objective's default
        SlaPolicy.Builder b = SlaPolicy.newBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Schema.Field field = SlaPolicy.getClassSchema().getField(f.getKey());
            if (field == null) {
                throw new IllegalArgumentException(where + ": unknown field '" + f.getKey() + "'");
            }
            JsonNode v = f.getValue();
            try {
                switch (f.getKey()) {
                    case "maxDowntimeMs":
                        b.setMaxDowntimeMs(v.isNull() ? null : wholeNumber(v));
                        break;
                    case "maxTotalTimeMs":
                        b.setMaxTotalTimeMs(v.isNull() ? null : wholeNumber(v));
                        break;
                    case "maxTransferredBytes":
                        b.setMaxTransferredBytes(v.isNull() ? null : wholeNumber(v));
                        break;
                    case "maxPerformanceDegradation":
                        b.setMaxPerformanceDegradation(v.isNull() ? null : number(v));
                        break;
                    case "objective":
                        b.setObjective(SlaObjective.valueOf(v.asText()));
                        break;
                    case "note":
                        b.setNote(v.isNull() ? null : v.asText());
                        break;
                    default:
                        throw new IllegalArgumentException("not settable");
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(
                        where + ": bad " + f.getKey() + " '" + v + "': " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    private static long wholeNumber(JsonNode v) {
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("must be a whole number");
        }
        return v.asLong();
    }

    private static double number(JsonNode v) {
        if (!v.isNumber()) {
            throw new IllegalArgumentException("must be a number");
        }
        return v.asDouble();
    }
}
