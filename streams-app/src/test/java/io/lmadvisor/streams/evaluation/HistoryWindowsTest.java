package io.lmadvisor.streams.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.state.HistoryWindow;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history store's layout (one key per window) on Kafka Streams' real stores, and its value format. */
class HistoryWindowsTest {
    private static final String SCOPE = "history-windows-test";
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private final SchemaRegistry registry =
            SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
    private final Serde<VmProfile> profiles = AvroSerdes.of(VmProfile.class, registry, false);
    private final Serde<MigrationRecommendation> recs = AvroSerdes.of(MigrationRecommendation.class, registry, false);
    private final Serde<VmHistory.Entry> serde =
            HistoryWindows.serde(profiles, recs, Topics.VM_PROFILES, Topics.MIGRATION_RECOMMENDATIONS);
    private final List<KeyValueStore<String, VmHistory.Entry>> opened = new ArrayList<>();

    @TempDir
    Path stateDir;

    @AfterEach
    void tearDown() {
        opened.forEach(KeyValueStore::close);
        MockSchemaRegistry.drop(SCOPE);
    }

    private KeyValueStore<String, VmHistory.Entry> store(KeyValueBytesStoreSupplier supplier) {
        KeyValueStore<String, VmHistory.Entry> store = Stores.keyValueStoreBuilder(supplier, Serdes.String(), serde)
                .withLoggingDisabled()
                .build();
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "history-windows-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        store.init(
                new MockProcessorContext<Void, Void>(config, new TaskId(0, 0), stateDir.toFile())
                        .getStateStoreContext(),
                store);
        opened.add(store);
        return store;
    }

    private static VmProfile profile(String vm, int windowEndS) {
        return VmProfile.newBuilder(VmHistoryTest.profile(windowEndS))
                .setVmId(vm)
                .build();
    }

    private static MigrationRecommendation advice(String vm, int windowEndS) {
        return MigrationRecommendation.newBuilder(VmHistoryTest.advice(windowEndS))
                .setVmId(vm)
                .build();
    }

    private static void add(KeyValueStore<String, VmHistory.Entry> store, VmProfile p) {
        HistoryWindows.update(store, p.getVmId(), p.getWindowEnd().toEpochMilli(), e -> VmHistory.withProfile(e, p));
    }

    private static void add(KeyValueStore<String, VmHistory.Entry> store, MigrationRecommendation r) {
        HistoryWindows.update(
                store, r.getVmId(), r.getProfileWindowEnd().toEpochMilli(), e -> VmHistory.withRecommendation(e, r));
    }

    @Test
    void eachWindowHasItsOwnKeyAndAVmKeepsItsLatestWindowsInOrder() {
        for (KeyValueStore<String, VmHistory.Entry> store : List.of(
                store(Stores.inMemoryKeyValueStore("in-memory")), store(Stores.persistentKeyValueStore("rocksdb")))) {
            // VMs whose ids extend one another, one with a NUL inside, windows arriving out of order.
            List<String> vms = List.of("vm", "vm-1", "vm-10", "vm\u0000" + "7");
            List<Runnable> puts = new ArrayList<>();
            for (String vm : vms) {
                for (int w = 1; w <= VmHistory.MAX_WINDOWS + 5; w++) {
                    int end = 20 * w;
                    puts.add(() -> add(store, profile(vm, end)));
                    if (w % 4 != 0) {
                        puts.add(() -> add(store, advice(vm, end)));
                    }
                }
            }
            Collections.shuffle(puts, new Random(7));
            puts.forEach(Runnable::run);
            for (String vm : vms) {
                VmHistory h = HistoryWindows.read(store, vm);
                List<VmHistory.Entry> entries = h.entries();
                assertEquals(VmHistory.MAX_WINDOWS, entries.size(), vm);
                for (int i = 1; i < entries.size(); i++) {
                    assertTrue(entries.get(i - 1).windowEndMs() < entries.get(i).windowEndMs(), vm + " in order");
                }
                VmHistory.Entry last = entries.get(entries.size() - 1);
                assertEquals(
                        T0.plusSeconds(20 * (VmHistory.MAX_WINDOWS + 5)),
                        last.profile().getWindowEnd());
                assertEquals(vm, last.profile().getVmId());
                assertEquals(vm, last.recommendation().getVmId());
                assertEquals("", last.recommendation().getReason(), "stored slim");
            }
            int keys = 0;
            try (KeyValueIterator<String, VmHistory.Entry> it = store.all()) {
                while (it.hasNext()) {
                    it.next();
                    keys++;
                }
            }
            // A late part of a dropped window comes back as the oldest and is dropped again at once.
            assertEquals(vms.size() * VmHistory.MAX_WINDOWS, keys);
            assertTrue(HistoryWindows.read(store, "vm-").entries().isEmpty(), "a prefix of an id is not that VM");
        }
    }

    @Test
    void inOrderArrivalsKeepExactlyTheLatestWindows() {
        KeyValueStore<String, VmHistory.Entry> store = store(Stores.persistentKeyValueStore("rocksdb"));
        for (int w = 1; w <= VmHistory.MAX_WINDOWS + 5; w++) {
            add(store, profile("vm", 20 * w));
            add(store, advice("vm", 20 * w));
        }
        try (KeyValueIterator<String, VmHistory.Entry> it = store.all()) {
            int n = 0;
            while (it.hasNext()) {
                assertTrue(
                        it.next().value.windowEndMs() >= T0.plusSeconds(20 * 6).toEpochMilli(),
                        "the five oldest dropped");
                n++;
            }
            assertEquals(VmHistory.MAX_WINDOWS, n);
        }
        VmHistory h = HistoryWindows.read(store, "vm");
        assertEquals(
                T0.plusSeconds(200),
                h.currentAt(T0.plusSeconds(210).toEpochMilli()).profile().getWindowEnd());
        assertNull(h.currentAt(T0.plusSeconds(100).toEpochMilli()), "nothing that old is kept");
    }

    @Test
    void keysSortAsTheirWindowEnds() {
        long[] ends = {Long.MIN_VALUE, -20_000, -1, 0, 1, 20_000, T0.toEpochMilli(), Long.MAX_VALUE};
        for (int i = 1; i < ends.length; i++) {
            Bytes a = Bytes.wrap(Serdes.String().serializer().serialize("t", HistoryWindows.key("vm", ends[i - 1])));
            Bytes b = Bytes.wrap(Serdes.String().serializer().serialize("t", HistoryWindows.key("vm", ends[i])));
            assertTrue(a.compareTo(b) < 0, ends[i - 1] + " before " + ends[i]);
        }
    }

    @Test
    void theSerdeWritesTheGenericWritersBytesAndReadsThemBack() throws IOException {
        List<VmHistory> all = VmHistoryTest.histories();
        int windows = 0;
        for (VmHistory h : all) {
            for (VmHistory.Entry e : h.entries()) {
                byte[] expected = generic(e);
                assertArrayEquals(expected, serde.serializer().serialize("t", e));
                VmHistory.Entry back = serde.deserializer().deserialize("t", expected);
                assertEquals(e, back);
                assertArrayEquals(expected, serde.serializer().serialize("t", back), "written again from kept bytes");
                windows++;
            }
        }
        assertTrue(windows > 60, windows + " windows, some with a part missing");
    }

    private byte[] generic(VmHistory.Entry e) throws IOException {
        HistoryWindow w = new HistoryWindow(
                e.windowEndMs(),
                e.profile() == null
                        ? null
                        : ByteBuffer.wrap(profiles.serializer().serialize(Topics.VM_PROFILES, e.profile())),
                e.recommendation() == null
                        ? null
                        : ByteBuffer.wrap(
                                recs.serializer().serialize(Topics.MIGRATION_RECOMMENDATIONS, e.recommendation())));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write('L');
        bytes.write(1);
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new SpecificDatumWriter<>(HistoryWindow.getClassSchema()).write(w, out);
        out.flush();
        return bytes.toByteArray();
    }
}
