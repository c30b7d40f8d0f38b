package io.lmadvisor.serde;

import io.lmadvisor.registry.SchemaNotFoundException;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format records into generated Avro classes. The writer schema comes from
 * the registry by the id in the header; the reader schema is the target class's, so records
 * written with older (compatible) schemas stay readable. Thread-safe; null bytes give null.
 *
 * <p>Bad bytes throw a {@link SerializationFailure} subclass (dead-letter them); registry
 * outages throw {@link io.lmadvisor.registry.SchemaRegistryException} (retry later).
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    private final Class<T> type;
    private final Schema readerSchema;
    private SchemaRegistry registry;
    private boolean ownsRegistry;
    private final Map<Integer, Reader<T>> readers = new ConcurrentHashMap<>();

    /**
     * For Kafka, which configures it with {@link #configure}. Without a target class each record
     * is read into the generated class named by its writer schema.
     */
    public AvroDeserializer() {
        this(null, null);
    }

    public AvroDeserializer(Class<T> type) {
        this(type, null);
    }

    /** Ready to use without {@link #configure}. */
    public AvroDeserializer(Class<T> type, SchemaRegistry registry) {
        AvroTrust.install();
        this.type = type;
        this.readerSchema = type == null ? null : SpecificData.getForClass(type).getSchema(type);
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = SchemaRegistries.fromConfig(configs);
            ownsRegistry = true;
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: no schema registry");
        }
        int id = WireFormat.schemaId(data);
        Reader<T> reader = readers.get(id);
        if (reader == null) {
            reader = newReader(id);
            readers.putIfAbsent(id, reader);
        }
        if (reader.incompatibility != null) {
            throw new IncompatibleWriterSchemaException(id, reader.incompatibility);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, DECODER.get());
        DECODER.set(decoder);
        T value;
        try {
            value = reader.datumReader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new MalformedPayloadException(
                        id, "Trailing bytes after a " + reader.writerName + " record (schema id " + id + ")", null);
            }
        } catch (SecurityException e) {
            throw e; // untrusted class: a deployment error, not a bad record
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedPayloadException m) {
                throw m;
            }
            throw new MalformedPayloadException(
                    id,
                    "Cannot decode " + reader.writerName
                            + " body (schema id " + id + "): " + e.getClass().getSimpleName() + ": "
                            + e.getMessage(),
                    e);
        }
        return value;
    }

    private Reader<T> newReader(int id) {
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (SchemaNotFoundException e) {
            throw new UnknownSchemaIdException(id, e);
        }
        Schema reader = readerSchema != null ? readerSchema : generatedSchemaFor(writer);
        SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new Reader<>(
                    null,
                    writer.getFullName(),
                    "Writer schema " + writer.getFullName()
                            + " (id " + id + ") cannot be read as " + reader.getFullName() + ": "
                            + firstIncompatibility(compatibility));
        }
        SpecificData model = type != null ? SpecificData.getForClass(type) : SpecificData.getForSchema(reader);
        return new Reader<>(new SpecificDatumReader<>(writer, reader, model), writer.getFullName(), null);
    }

    /** The first problem only: the full description embeds both schemas, far too long for a reason. */
    private static String firstIncompatibility(SchemaPairCompatibility compatibility) {
        var all = compatibility.getResult().getIncompatibilities();
        if (all.isEmpty()) {
            return compatibility.getType().name();
        }
        var first = all.get(0);
        return first.getType() + " at " + first.getLocation() + ": " + first.getMessage();
    }

    private static Schema generatedSchemaFor(Schema writer) {
        Class<?> generated = SpecificData.get().getClass(writer);
        if (generated == null || !SpecificRecord.class.isAssignableFrom(generated)) {
            throw new SerializationException("No generated class for writer schema " + writer.getFullName()
                    + "; pass the target class to AvroDeserializer");
        }
        return SpecificData.getForClass(generated).getSchema(generated);
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }

    private record Reader<T>(SpecificDatumReader<T> datumReader, String writerName, String incompatibility) {}
}
