package io.lmadvisor.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.registry.SchemaRegistryUnavailableException;
import io.lmadvisor.registry.SubjectNotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    private static final String SCOPE = "serde-test";
    private static final Map<String, Object> CONFIG =
            Map.of("schema.registry.url", MockSchemaRegistry.URL_PREFIX + SCOPE);
    private static final String TOPIC = "lm.test";

    @AfterEach
    void drop() {
        MockSchemaRegistry.drop(SCOPE);
    }

    static Stream<SpecificRecord> everyRecord() {
        return Samples.all().stream();
    }

    @ParameterizedTest
    @MethodSource("everyRecord")
    void roundTripsEveryRecordTypeThroughMockUrl(SpecificRecord record) {
        roundTrip(record);
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void roundTrip(T record) {
        Class<T> type = (Class<T>) record.getClass();
        try (AvroSerde<T> serde = AvroSerdes.of(type, CONFIG, false)) {
            byte[] bytes = serde.serializer().serialize(TOPIC, record);
            T back = serde.deserializer().deserialize(TOPIC, bytes);
            assertEquals(record, back);
        }
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        assertEquals(List.of(TOPIC + "-value"), registry.subjects());
    }

    @Test
    void headerIsMagicZeroThenBigEndianId() {
        SchemaRegistry fixedId = new FixedIdRegistry(0x01020304);
        AvroSerializer<VmSample> serializer = new AvroSerializer<>(fixedId);
        byte[] bytes = serializer.serialize(TOPIC, Samples.vmSample());

        assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, Arrays.copyOf(bytes, 5));
        assertEquals(0x01020304, WireFormat.schemaId(bytes));
        assertEquals(Samples.vmSample(), new AvroDeserializer<>(VmSample.class, fixedId).deserialize(TOPIC, bytes));
    }

    @Test
    void keysUseTheKeySubjectAndIdsMatchTheRegistry() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        AvroSerde<HostSample> keySerde = AvroSerdes.of(HostSample.class, registry, true);
        byte[] bytes = keySerde.serializer().serialize(TOPIC, Samples.hostSample());

        assertEquals(List.of(TOPIC + "-key"), registry.subjects());
        assertEquals(registry.getIdFor(TOPIC + "-key", HostSample.getClassSchema()), WireFormat.schemaId(bytes));
    }

    @Test
    void nullsPassThroughAsTombstones() {
        AvroSerde<SlaPolicy> serde = AvroSerdes.of(SlaPolicy.class, CONFIG, false);
        assertNull(serde.serializer().serialize(TOPIC, null));
        assertNull(serde.deserializer().deserialize(TOPIC, null));
    }

    @Test
    void bytesThatAreNotWireFormatAreRejected() {
        AvroDeserializer<VmSample> deserializer =
                new AvroDeserializer<>(VmSample.class, MockSchemaRegistry.forScope(SCOPE));

        NotWireFormatException tooShort =
                assertThrows(NotWireFormatException.class, () -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}));
        assertTrue(tooShort.reason().contains("shorter"), tooShort.reason());
        NotWireFormatException badMagic = assertThrows(
                NotWireFormatException.class, () -> deserializer.deserialize(TOPIC, "{\"vmId\":\"vm-1\"}".getBytes()));
        assertTrue(badMagic.reason().contains("magic byte 0x7b"), badMagic.reason());
        assertInstanceOf(SerializationException.class, badMagic);
        assertInstanceOf(SerializationFailure.class, badMagic);
        assertThrows(NotWireFormatException.class, () -> WireFormat.schemaId(null));
    }

    @Test
    void unknownSchemaIdIsReported() {
        AvroDeserializer<VmSample> deserializer =
                new AvroDeserializer<>(VmSample.class, MockSchemaRegistry.forScope(SCOPE));
        byte[] bytes = new byte[] {0, 0, 0, 0x30, 0x39, 2, 'x'};

        UnknownSchemaIdException e =
                assertThrows(UnknownSchemaIdException.class, () -> deserializer.deserialize(TOPIC, bytes));
        assertEquals(12345, e.schemaId());
        assertTrue(e.reason().contains("12345"), e.reason());
        assertInstanceOf(SerializationFailure.class, e);
    }

    @Test
    void truncatedOrPaddedBodiesAreMalformed() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        byte[] good = new AvroSerializer<VmSample>(registry).serialize(TOPIC, Samples.vmSample());
        AvroDeserializer<VmSample> deserializer = new AvroDeserializer<>(VmSample.class, registry);

        MalformedPayloadException truncated = assertThrows(
                MalformedPayloadException.class,
                () -> deserializer.deserialize(TOPIC, Arrays.copyOf(good, good.length - 3)));
        assertEquals(WireFormat.schemaId(good), truncated.schemaId());
        assertThrows(
                MalformedPayloadException.class,
                () -> deserializer.deserialize(TOPIC, Arrays.copyOf(good, good.length + 2)));
        // The reused decoder must not carry state over from the failures.
        assertEquals(Samples.vmSample(), deserializer.deserialize(TOPIC, good));
    }

    @Test
    void recordOfAnotherTypeOnTheTopicIsIncompatible() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        byte[] host = new AvroSerializer<HostSample>(registry).serialize(TOPIC, Samples.hostSample());
        IncompatibleWriterSchemaException e = assertThrows(
                IncompatibleWriterSchemaException.class,
                () -> new AvroDeserializer<>(VmSample.class, registry).deserialize(TOPIC, host));
        assertTrue(e.reason().contains("HostSample"), e.reason());
    }

    @Test
    void readsRecordsWrittenWithAnOlderSchema() throws IOException {
        // VmSample as it might have been before agentVersion and source were added.
        Schema current = VmSample.getClassSchema();
        List<Schema.Field> oldFields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals("agentVersion") && !f.name().equals("source")) {
                oldFields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema old = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, oldFields);
        GenericRecord oldRecord = new GenericData.Record(old);
        VmSample sample = Samples.vmSample();
        for (Schema.Field f : old.getFields()) {
            Object value = sample.get(f.name());
            oldRecord.put(f.name(), value instanceof java.time.Instant i ? i.toEpochMilli() : value);
        }

        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        int oldId = registry.register(TOPIC + "-value", old);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(WireFormat.header(oldId));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(old).write(oldRecord, encoder);
        encoder.flush();

        VmSample read = new AvroDeserializer<>(VmSample.class, registry).deserialize(TOPIC, out.toByteArray());

        assertEquals(sample.getVmId(), read.getVmId());
        assertEquals(sample.getTimestamp(), read.getTimestamp());
        assertEquals(sample.getInstructionsPerSec(), read.getInstructionsPerSec());
        assertNull(read.getAgentVersion());
        assertNull(read.getSource());
        // The current schema registers as a compatible second version of the subject.
        int newId = registry.register(TOPIC + "-value", current);
        assertEquals(List.of(oldId, newId), registry.versionIds(TOPIC + "-value"));
    }

    @Test
    void withoutAutoRegisterTheSchemaMustAlreadyExist() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        AvroSerializer<VmSample> serializer = new AvroSerializer<>(registry, false, false);
        assertThrows(SubjectNotFoundException.class, () -> serializer.serialize(TOPIC, Samples.vmSample()));

        int id = registry.register(TOPIC + "-value", VmSample.getClassSchema());
        assertEquals(id, WireFormat.schemaId(serializer.serialize(TOPIC, Samples.vmSample())));

        AvroSerializer<VmSample> configured = new AvroSerializer<>();
        configured.configure(Map.of("schema.registry.url", "mock://" + SCOPE, "auto.register.schemas", "false"), false);
        assertThrows(SubjectNotFoundException.class, () -> configured.serialize("lm.other", Samples.vmSample()));
    }

    @Test
    void kafkaStyleNoArgDeserializerReadsIntoTheWritersGeneratedClass() {
        AvroSerializer<MigrationRecommendation> serializer = new AvroSerializer<>();
        serializer.configure(CONFIG, false);
        AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
        deserializer.configure(CONFIG, false);

        SpecificRecord back = deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, Samples.recommendation()));
        assertEquals(Samples.recommendation(), back);
    }

    @Test
    void missingRequiredFieldFailsAtSerialization() {
        VmSample broken = Samples.vmSample();
        broken.setVmId(null);
        SerializationException e = assertThrows(
                SerializationException.class,
                () -> new AvroSerializer<VmSample>(MockSchemaRegistry.forScope(SCOPE)).serialize(TOPIC, broken));
        assertTrue(e.getMessage().contains("vmId"), e.getMessage());
    }

    @Test
    void registryOutageIsNotADeadLetterCase() {
        SchemaRegistry down = new FixedIdRegistry(1) {
            @Override
            public Schema getById(int id) {
                throw new SchemaRegistryUnavailableException("down", null);
            }
        };
        byte[] bytes = new AvroSerializer<VmSample>(down).serialize(TOPIC, Samples.vmSample());
        RuntimeException e = assertThrows(
                RuntimeException.class, () -> new AvroDeserializer<>(VmSample.class, down).deserialize(TOPIC, bytes));
        assertInstanceOf(SchemaRegistryUnavailableException.class, e);
    }

    @Test
    void serdesAreSafeToShareAcrossThreads() throws Exception {
        AvroSerde<VmSample> serde = AvroSerdes.of(VmSample.class, CONFIG, false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        VmSample sample = Samples.vmSample();
                        sample.setVmId("vm-" + thread + "-" + i);
                        sample.setDirtiedPagesPerSec(i);
                        VmSample back = serde.deserializer()
                                .deserialize(TOPIC, serde.serializer().serialize(TOPIC, sample));
                        if (!sample.equals(back)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Registry that gives every schema the same id, to check the header layout. */
    static class FixedIdRegistry implements SchemaRegistry {
        private final int id;
        private volatile Schema schema;

        FixedIdRegistry(int id) {
            this.id = id;
        }

        @Override
        public int register(String subject, Schema s) {
            schema = s;
            return id;
        }

        @Override
        public Schema getById(int requested) {
            return schema;
        }

        @Override
        public int getIdFor(String subject, Schema s) {
            return register(subject, s);
        }

        @Override
        public boolean testCompatibility(String subject, Schema s) {
            return true;
        }

        @Override
        public String getCompatibility(String subject) {
            return "NONE";
        }

        @Override
        public void setCompatibility(String subject, String level) {}
    }
}
