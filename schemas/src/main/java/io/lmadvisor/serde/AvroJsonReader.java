package io.lmadvisor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The inverse of {@link AvroJson}: reads its plain JSON (unions unwrapped, timestamps ISO-8601 or
 * epoch millis, bytes base64, non-finite doubles as strings) back into generated records. Missing
 * fields take their schema default; a missing field without default, or a value of the wrong
 * type, is an {@link IllegalArgumentException} naming the field.
 */
public final class AvroJsonReader {

    private AvroJsonReader() {}

    public static <T extends SpecificRecord> T read(JsonNode json, Class<T> type) {
        AvroTrust.install();
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        @SuppressWarnings("unchecked")
        T record = (T) value(json, schema, model, schema.getName());
        return record;
    }

    private static Object value(JsonNode json, Schema schema, SpecificData model, String path) {
        switch (schema.getType()) {
            case NULL:
                if (json == null || json.isNull()) {
                    return null;
                }
                throw wrong(path, "null", json);
            case UNION:
                return union(json, schema, model, path);
            case RECORD:
                return record(json, schema, model, path);
            case STRING:
                if (json != null && json.isTextual()) {
                    return json.asText();
                }
                throw wrong(path, "a string", json);
            case BOOLEAN:
                if (json != null && json.isBoolean()) {
                    return json.asBoolean();
                }
                throw wrong(path, "true or false", json);
            case INT:
                if (json != null && json.canConvertToInt() && json.isIntegralNumber()) {
                    return json.asInt();
                }
                throw wrong(path, "an int", json);
            case LONG:
                return longValue(json, schema, path);
            case FLOAT:
                return (float) doubleValue(json, path);
            case DOUBLE:
                return doubleValue(json, path);
            case ENUM:
                if (json != null && json.isTextual() && schema.getEnumSymbols().contains(json.asText())) {
                    return model.createEnum(json.asText(), schema);
                }
                throw wrong(path, "one of " + schema.getEnumSymbols(), json);
            case BYTES:
                if (json != null && json.isTextual()) {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(json.asText()));
                }
                throw wrong(path, "base64 text", json);
            case ARRAY: {
                if (json == null || !json.isArray()) {
                    throw wrong(path, "an array", json);
                }
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < json.size(); i++) {
                    out.add(value(json.get(i), schema.getElementType(), model, path + "[" + i + "]"));
                }
                return out;
            }
            case MAP: {
                if (json == null || !json.isObject()) {
                    throw wrong(path, "an object", json);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = json.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    out.put(e.getKey(), value(e.getValue(), schema.getValueType(), model, path + "." + e.getKey()));
                }
                return out;
            }
            default:
                throw new IllegalArgumentException(path + ": Avro type " + schema.getType() + " is not supported");
        }
    }

    private static Object record(JsonNode json, Schema schema, SpecificData model, String path) {
        if (json == null || !json.isObject()) {
            throw wrong(path, "an object", json);
        }
        Object record = model.newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            JsonNode v = json.get(f.name());
            Object value;
            if (v == null) {
                if (!f.hasDefaultValue()) {
                    throw new IllegalArgumentException(path + "." + f.name() + " is missing");
                }
                value = model.deepCopy(f.schema(), model.getDefaultValue(f));
            } else {
                value = value(v, f.schema(), model, path + "." + f.name());
            }
            model.setField(record, f.name(), f.pos(), value);
        }
        return record;
    }

    private static Object union(JsonNode json, Schema schema, SpecificData model, String path) {
        boolean isNull = json == null || json.isNull();
        IllegalArgumentException last = null;
        for (Schema branch : schema.getTypes()) {
            if (isNull != (branch.getType() == Schema.Type.NULL)) {
                continue;
            }
            try {
                return value(json, branch, model, path);
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        throw last != null ? last : wrong(path, "one of " + schema.getTypes(), json);
    }

    private static Object longValue(JsonNode json, Schema schema, String path) {
        LogicalType logical = schema.getLogicalType();
        boolean timestamp = logical instanceof LogicalTypes.TimestampMillis;
        if (timestamp && json != null && json.isTextual()) {
            try {
                return Instant.parse(json.asText());
            } catch (DateTimeParseException e) {
                throw wrong(path, "an ISO-8601 instant", json);
            }
        }
        if (json != null && json.isIntegralNumber() && json.canConvertToLong()) {
            return timestamp ? Instant.ofEpochMilli(json.asLong()) : (Object) json.asLong();
        }
        throw wrong(path, timestamp ? "an ISO-8601 instant or epoch millis" : "a long", json);
    }

    private static double doubleValue(JsonNode json, String path) {
        if (json != null && json.isNumber()) {
            return json.asDouble();
        }
        if (json != null && json.isTextual()) {
            // AvroJson writes NaN and the infinities as text.
            switch (json.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw wrong(path, "a number", json);
    }

    private static IllegalArgumentException wrong(String path, String expected, JsonNode got) {
        return new IllegalArgumentException(
                path + ": expected " + expected + ", got " + (got == null ? "nothing" : got.toString()));
    }
}
