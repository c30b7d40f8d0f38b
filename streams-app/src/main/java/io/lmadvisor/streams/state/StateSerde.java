package io.lmadvisor.streams.state;

import io.lmadvisor.serde.AvroTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one serde of the advisor's internal state (stores and internal topics): Avro binary of a generated state
 * record, after a two-byte header, {@link #MAGIC} and the schema's version in {@link StateSchemas}. A reader
 * resolves an older version's bytes against the current schema, so a compatible change needs no state reset.
 *
 * @param <S> the state as the processors use it
 * @param <R> its Avro record (package {@code io.lmadvisor.avro.state})
 */
public final class StateSerde<S, R extends IndexedRecord> implements Serde<S> {
    /** Marks the Avro state format: the hand-written formats before it began with 1 or 2. */
    static final byte MAGIC = 'L';

    private final Schema current;
    private final List<Schema> history;
    private final int version;
    private final Function<S, R> toRecord;
    private final Function<R, S> fromRecord;
    /** Writes and reads the current version directly; null: through the generated record. */
    private final Codec<S> codec;
    // Built once: Kafka's StateSerdes asks for them on every get and put, and a new reader resolves the schemas
    // again on its first record, which cost more than the decoding itself (PERFORMANCE.md). The writer keeps no
    // state; readers are kept per thread, as Avro builds a reader's resolution lazily.
    private final Serializer<S> serializer;
    private final Deserializer<S> deserializer;

    /**
     * Avro binary of the current schema written and read field by field, without the generated record: for state
     * serialized on the hot path. {@code StateCodecTest} holds it byte-identical to the generic writer's.
     */
    public interface Codec<S> {
        void write(S state, Encoder out) throws IOException;

        S read(Decoder in) throws IOException;
    }

    private StateSerde(Schema current, Function<S, R> toRecord, Function<R, S> fromRecord, Codec<S> codec) {
        AvroTrust.install();
        this.current = current;
        this.history = StateSchemas.history(current);
        this.version = history.size();
        this.toRecord = toRecord;
        this.fromRecord = fromRecord;
        this.codec = codec;
        this.serializer = newSerializer();
        this.deserializer = newDeserializer();
    }

    /** A serde for state {@code S} stored as the Avro record whose schema is {@code schema}. */
    public static <S, R extends IndexedRecord> StateSerde<S, R> of(
            Schema schema, Function<S, R> toRecord, Function<R, S> fromRecord) {
        return new StateSerde<>(schema, toRecord, fromRecord, null);
    }

    /** As {@link #of}, with a hand-written codec for the current version; older versions still resolve. */
    public static <S, R extends IndexedRecord> StateSerde<S, R> of(
            Schema schema, Function<S, R> toRecord, Function<R, S> fromRecord, Codec<S> codec) {
        return new StateSerde<>(schema, toRecord, fromRecord, codec);
    }

    @Override
    public Serializer<S> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<S> deserializer() {
        return deserializer;
    }

    private Serializer<S> newSerializer() {
        SpecificDatumWriter<R> writer = new SpecificDatumWriter<>(current);
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            bytes.write(MAGIC);
            bytes.write(version);
            BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
            try {
                if (codec != null) {
                    codec.write(state, out);
                } else {
                    writer.write(toRecord.apply(state), out);
                }
                out.flush();
            } catch (IOException e) {
                throw new SerializationException("cannot encode " + current.getName(), e);
            }
            return bytes.toByteArray();
        };
    }

    private Deserializer<S> newDeserializer() {
        ThreadLocal<List<SpecificDatumReader<R>>> perThread = ThreadLocal.withInitial(() -> {
            List<SpecificDatumReader<R>> readers = new ArrayList<>(version);
            for (Schema written : history) {
                readers.add(new SpecificDatumReader<>(written, current));
            }
            return readers;
        });
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < 2 || bytes[0] != MAGIC) {
                throw new SerializationException(current.getName() + " state in " + topic + " is in a format older "
                        + "than this version reads: reset the application's state (docs/OPERATIONS.md, \"Upgrading\")");
            }
            int written = bytes[1];
            if (written < 1 || written > version) {
                throw new SerializationException(current.getName() + " state in " + topic + " has format version "
                        + written + ", newer than this version's " + version
                        + ": run the newer version or reset the state");
            }
            SpecificDatumReader<R> reader = perThread.get().get(written - 1);
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, 2, bytes.length - 2, null);
            try {
                if (codec != null && written == version) {
                    S state = codec.read(in);
                    if (!in.isEnd()) {
                        throw new IOException("trailing bytes");
                    }
                    return state;
                }
                return fromRecord.apply(reader.read(null, in));
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("corrupt " + current.getName() + " state in " + topic, e);
            }
        };
    }
}
