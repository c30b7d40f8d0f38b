package io.lmadvisor.serde;

import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes generated Avro records in the Confluent wire format, registering (or looking up) the
 * record's schema under {@code <topic>-value} / {@code <topic>-key}. Thread-safe. A null record
 * becomes null bytes (a tombstone).
 *
 * <p>Registry failures surface as {@link io.lmadvisor.registry.SchemaRegistryException}.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private static final int MAX_RETAINED_BUFFER_BYTES = 1 << 20;
    private static final ThreadLocal<ByteArrayOutputStream> BUFFER =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(512));
    private static final ThreadLocal<BinaryEncoder> ENCODER = new ThreadLocal<>();

    private SchemaRegistry registry;
    private boolean ownsRegistry;
    private boolean autoRegister = true;
    private boolean isKey;
    private final Map<String, Map<Schema, Integer>> idBySubject = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();

    /** For Kafka, which configures it with {@link #configure}. */
    public AvroSerializer() {
        AvroTrust.install();
    }

    /** Value serializer that auto-registers schemas; {@link #configure} is optional. */
    public AvroSerializer(SchemaRegistry registry) {
        this(registry, true, false);
    }

    public AvroSerializer(SchemaRegistry registry, boolean autoRegister, boolean isKey) {
        this();
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        this.autoRegister = AvroSerdeConfig.bool(configs, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, autoRegister);
        if (registry == null) {
            registry = SchemaRegistries.fromConfig(configs);
            ownsRegistry = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer is not configured: no schema registry");
        }
        Schema schema = record.getSchema();
        int id = schemaId(AvroSerdeConfig.subject(topic, isKey), schema);
        ByteArrayOutputStream out = BUFFER.get();
        out.reset();
        byte[] header = WireFormat.header(id);
        out.write(header, 0, header.length);
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, ENCODER.get());
            ENCODER.set(encoder);
            writer(schema, record).write(record, encoder);
            encoder.flush();
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            // Avro reports a missing required field as an NPE naming the field.
            throw new SerializationException(
                    "Cannot encode " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
        byte[] bytes = out.toByteArray();
        if (out.size() > MAX_RETAINED_BUFFER_BYTES) {
            BUFFER.remove();
        }
        return bytes;
    }

    private int schemaId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer id = ids.get(schema);
        if (id == null) {
            id = autoRegister ? registry.register(subject, schema) : registry.getIdFor(subject, schema);
            ids.put(schema, id);
        }
        return id;
    }

    private DatumWriter<T> writer(Schema schema, T record) {
        return writers.computeIfAbsent(schema, s -> {
            // The generated class's model carries its logical-type conversions (Instant).
            SpecificData model =
                    record instanceof SpecificRecordBase base ? base.getSpecificData() : SpecificData.getForSchema(s);
            return new SpecificDatumWriter<>(s, model);
        });
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
