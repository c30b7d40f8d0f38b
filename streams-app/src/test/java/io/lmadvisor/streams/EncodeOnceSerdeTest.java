package io.lmadvisor.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.serde.WireFormat;
import io.lmadvisor.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EncodeOnceSerdeTest {
    private static final String SCOPE = "encode-once-test";
    private static final String STORE_TOPIC = "app-vm-latest-profiles-changelog";

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.drop(SCOPE);
    }

    private static VmProfile profile(String vm) {
        Instant end = Instant.parse("2026-11-30T10:00:20Z");
        return VmProfile.newBuilder()
                .setVmId(vm)
                .setHostId("h")
                .setWindowStart(end.minusSeconds(20))
                .setWindowEnd(end)
                .setSampleCount(20)
                .setVmSizeMb(1024)
                .setPdrPagesPerSec(10)
                .setWssPages(100)
                .setCpuUtilPercent(5)
                .setLateSampleCount(0)
                .build();
    }

    private static Serde<VmProfile> registrySerde() {
        return AvroSerdes.of(
                VmProfile.class, SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE)), false);
    }

    @Test
    void aRecordSentToItsTopicAndAStoreIsEncodedOnceIntoTheBytesTheRegistrySerdeWrites() {
        Serde<VmProfile> plain = registrySerde();
        EncodeOnceSerde<VmProfile> once = new EncodeOnceSerde<>(registrySerde());
        // Learn each topic's schema id from a first record.
        once.serializer().serialize(Topics.VM_PROFILES, profile("vm-0"));
        once.serializer().serialize(STORE_TOPIC, profile("vm-0"));

        VmProfile p = profile("vm-1");
        byte[] toTopic = once.serializer().serialize(Topics.VM_PROFILES, p);
        byte[] toStore = once.serializer().serialize(STORE_TOPIC, p);
        assertSame(toTopic, toStore);
        assertArrayEquals(plain.serializer().serialize(STORE_TOPIC, p), toStore);
        assertArrayEquals(plain.serializer().serialize(Topics.VM_PROFILES, p), toTopic);

        VmProfile equalButAnother = profile("vm-1");
        assertNotSame(toTopic, once.serializer().serialize(STORE_TOPIC, equalButAnother), "by identity only");
        assertNull(once.serializer().serialize(STORE_TOPIC, null));
    }

    @Test
    void aDecodedRecordIsWrittenAsTheBytesItCameFrom() {
        EncodeOnceSerde<VmProfile> once = new EncodeOnceSerde<>(registrySerde());
        byte[] written = registrySerde().serializer().serialize(Topics.VM_PROFILES, profile("vm-1"));
        once.serializer().serialize(Topics.VM_PROFILES, profile("vm-0"));
        VmProfile read = once.deserializer().deserialize(Topics.VM_PROFILES, written);
        assertSame(written, once.serializer().serialize(Topics.VM_PROFILES, read));
    }

    @Test
    void bytesWithAnotherSchemaIdAreEncodedAgain() {
        // A registry that gives each subject its own id: the bytes for one topic do not fit the other.
        Serde<String> perTopicIds = Serdes.serdeFrom(
                (topic, s) -> {
                    byte[] body = s.getBytes(StandardCharsets.UTF_8);
                    byte[] out = Arrays.copyOf(WireFormat.header(topic.length()), WireFormat.HEADER_SIZE + body.length);
                    System.arraycopy(body, 0, out, WireFormat.HEADER_SIZE, body.length);
                    return out;
                },
                (topic, b) -> new String(
                        b, WireFormat.HEADER_SIZE, b.length - WireFormat.HEADER_SIZE, StandardCharsets.UTF_8));
        EncodeOnceSerde<String> once = new EncodeOnceSerde<>(perTopicIds);
        once.serializer().serialize("a", "x");
        once.serializer().serialize("bb", "x");
        String v = new String("value");
        byte[] forA = once.serializer().serialize("a", v);
        byte[] forB = once.serializer().serialize("bb", v);
        assertNotSame(forA, forB);
        assertArrayEquals(perTopicIds.serializer().serialize("bb", v), forB);
        assertSame(forB, once.serializer().serialize("bb", v));
    }

    @Test
    void remembersTheLastRecordsOfTheThread() {
        EncodeOnceSerde<VmProfile> once = new EncodeOnceSerde<>(registrySerde());
        VmProfile[] ps = new VmProfile[EncodeOnceSerde.REMEMBERED + 1];
        byte[][] bytes = new byte[ps.length][];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = profile("vm-" + i);
            bytes[i] = once.serializer().serialize(Topics.VM_PROFILES, ps[i]);
        }
        assertSame(bytes[ps.length - 1], once.serializer().serialize(Topics.VM_PROFILES, ps[ps.length - 1]));
        assertSame(bytes[1], once.serializer().serialize(Topics.VM_PROFILES, ps[1]));
        assertNotSame(bytes[0], once.serializer().serialize(Topics.VM_PROFILES, ps[0]), "the oldest was overwritten");
    }
}
