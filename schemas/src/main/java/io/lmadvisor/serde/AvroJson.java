package io.lmadvisor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as plain JSON with the schema's field names: unions unwrapped, timestamps as
 * ISO-8601, bytes as base64. What a subscriber decoding our topics sees, without Avro's union tags.
 */
public final class AvroJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {}

    public static String envelope(String topic, String key, int partition, long offset, IndexedRecord value) {
        ObjectNode out = NODES.objectNode();
        out.put("topic", topic);
        out.put("key", key);
        out.put("partition", partition);
        out.put("offset", offset);
        out.put("schema", value.getSchema().getFullName());
        out.set("value", toJson(value));
        return write(out);
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    public static JsonNode toJson(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof IndexedRecord) {
            IndexedRecord record = (IndexedRecord) value;
            ObjectNode node = NODES.objectNode();
            for (Schema.Field f : record.getSchema().getFields()) {
                node.set(f.name(), toJson(record.get(f.pos())));
            }
            return node;
        }
        if (value instanceof Instant) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol || value instanceof Enum) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof Double) {
            double d = (Double) value;
            return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d));
        }
        if (value instanceof Float) {
            return NODES.numberNode((Float) value);
        }
        if (value instanceof Long) {
            return NODES.numberNode((Long) value);
        }
        if (value instanceof Integer) {
            return NODES.numberNode((Integer) value);
        }
        if (value instanceof Boolean) {
            return NODES.booleanNode((Boolean) value);
        }
        if (value instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) value).duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Map) {
            ObjectNode node = NODES.objectNode();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                node.set(String.valueOf(e.getKey()), toJson(e.getValue()));
            }
            return node;
        }
        if (value instanceof Collection) {
            ArrayNode array = NODES.arrayNode();
            for (Object o : (Collection<?>) value) {
                array.add(toJson(o));
            }
            return array;
        }
        if (value instanceof GenericContainer) {
            return NODES.textNode(value.toString());
        }
        return NODES.textNode(String.valueOf(value));
    }
}
