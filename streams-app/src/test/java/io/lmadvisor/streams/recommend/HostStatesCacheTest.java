package io.lmadvisor.streams.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.serde.AvroTrust;
import io.lmadvisor.streams.host.ChangeCountingStore;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decisions keep their host list only while the global host store is unchanged. */
class HostStatesCacheTest {
    @BeforeAll
    static void trustAvro() {
        AvroTrust.install();
    }

    private static HostSample host(String id, int memAvailMb) {
        return HostSample.newBuilder()
                .setHostId(id)
                .setTimestamp(Instant.parse("2026-12-01T00:00:00Z"))
                .setCpuCores(4)
                .setCpuAvailPercent(300)
                .setMemTotalMb(16384)
                .setMemAvailMb(memAvailMb)
                .setMigrationLinkSpeedMBps(125)
                .setMigrationLinkAvailMBps(100)
                .build();
    }

    /** Records by a counter's value: what this test needs of a serde is that each put stores new bytes. */
    private static Serde<HostSample> identity() {
        Map<Integer, HostSample> byId = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        return Serdes.serdeFrom(
                (topic, h) -> {
                    int id = (int) ids.incrementAndGet();
                    byId.put(id, h);
                    return ByteBuffer.allocate(4).putInt(id).array();
                },
                (topic, b) -> b == null ? null : byId.get(ByteBuffer.wrap(b).getInt()));
    }

    private static Map<String, Long> memory(List<HostState> hosts) {
        return hosts.stream().collect(Collectors.toMap(HostState::hostId, h -> (long) h.memAvailMb()));
    }

    @Test
    void readsTheStoreAgainOnlyAfterAWrite() {
        AtomicLong changes = new AtomicLong();
        KeyValueStore<String, HostSample> store = Stores.keyValueStoreBuilder(
                        ChangeCountingStore.counting(Stores.inMemoryKeyValueStore("hosts"), changes),
                        Serdes.String(),
                        identity())
                .withLoggingDisabled()
                .build();
        store.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), store);
        HostStatesCache cache = new HostStatesCache(changes);
        assertEquals(Map.of(), memory(cache.get(store)));

        store.put("h1", host("h1", 1000));
        store.put("h2", host("h2", 2000));
        List<HostState> first = cache.get(store);
        assertEquals(Map.of("h1", 1000L, "h2", 2000L), memory(first));
        assertSame(first, cache.get(store), "unchanged store: the same list");

        store.put("h1", host("h1", 500));
        List<HostState> second = cache.get(store);
        assertNotSame(first, second);
        assertEquals(Map.of("h1", 500L, "h2", 2000L), memory(second), "an update is seen by the next decision");

        store.delete("h2");
        assertEquals(Map.of("h1", 500L), memory(cache.get(store)), "so is a delete");
        store.putAll(List.of(KeyValue.pair("h3", host("h3", 300))));
        assertEquals(Map.of("h1", 500L, "h3", 300L), memory(cache.get(store)), "and a putAll");
        store.close();
    }
}
