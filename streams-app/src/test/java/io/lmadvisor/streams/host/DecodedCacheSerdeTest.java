package io.lmadvisor.streams.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class DecodedCacheSerdeTest {
    private final AtomicInteger decodes = new AtomicInteger();
    private final Serde<String> counting =
            Serdes.serdeFrom((topic, s) -> s.getBytes(StandardCharsets.UTF_8), (topic, b) -> {
                if (b == null) {
                    return null;
                }
                decodes.incrementAndGet();
                return new String(b, StandardCharsets.UTF_8);
            });

    @Test
    void theSameStoredBytesAreDecodedOnceAndAnUpdateIsSeenAtOnce() {
        DecodedCacheSerde<String> serde = new DecodedCacheSerde<>(counting);
        byte[] stored = "h1 at 10:00".getBytes(StandardCharsets.UTF_8);
        String first = serde.deserializer().deserialize("t", stored);
        assertSame(first, serde.deserializer().deserialize("t", stored));
        assertEquals(1, decodes.get());
        // An update stores new bytes, even with equal content: decoded again.
        byte[] updated = "h1 at 10:00".getBytes(StandardCharsets.UTF_8);
        assertNotSame(first, serde.deserializer().deserialize("t", updated));
        assertEquals(2, decodes.get());
        assertNull(serde.deserializer().deserialize("t", null));
    }

    @Test
    void throughAnInMemoryStoreReadsSeeEachPut() {
        KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("hosts"), Serdes.String(), new DecodedCacheSerde<>(counting))
                .withLoggingDisabled()
                .build();
        store.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), store);
        store.put("h1", "cpu 10");
        int afterPut = decodes.get();
        for (int i = 0; i < 5; i++) {
            assertEquals("cpu 10", store.get("h1"));
        }
        assertEquals(afterPut + 1, decodes.get(), "decoded once for five reads");
        store.put("h1", "cpu 90");
        assertEquals("cpu 90", store.get("h1"));
        try (var it = store.all()) {
            assertEquals("cpu 90", it.next().value);
        }
        store.close();
    }
}
