package io.lmadvisor.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

/** Every RocksDB store of the JVM shares one bounded cache, memtables included. */
class BoundedRocksDbMemoryTest {
    @TempDir
    Path stateDir;

    @Test
    void storesShareOneCacheAndOneWriteBufferManager() {
        try (Options a = new Options();
                Options b = new Options()) {
            a.setTableFormatConfig(new BlockBasedTableConfig());
            b.setTableFormatConfig(new BlockBasedTableConfig());
            BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
            setter.setConfig("store-a", a, Map.of());
            setter.setConfig("store-b", b, Map.of(BoundedRocksDbMemory.MEMORY_MB, "32"));
            assertNotNull(a.writeBufferManager());
            assertSame(a.writeBufferManager(), b.writeBufferManager(), "one write buffer manager for all stores");
            BlockBasedTableConfig table = (BlockBasedTableConfig) b.tableFormatConfig();
            assertTrue(table.cacheIndexAndFilterBlocks(), "index and filter blocks count against the cache");
            assertTrue(table.pinTopLevelIndexAndFilter());
            assertTrue(BoundedRocksDbMemory.sharedCacheBytes() >= 8L << 20, "sized by the first store");
        }
    }

    @Test
    void aRealStoreOpensAndWorksWithIt() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bounded-rocksdb-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        config.put(BoundedRocksDbMemory.MEMORY_MB, "16");
        KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore("history"), Serdes.String(), Serdes.String())
                .withLoggingDisabled()
                .build();
        store.init(
                new MockProcessorContext<Void, Void>(config, new TaskId(0, 0), stateDir.toFile())
                        .getStateStoreContext(),
                store);
        try {
            for (int i = 0; i < 5_000; i++) {
                store.put("vm-" + i, "window " + i);
            }
            store.flush();
            assertEquals("window 4321", store.get("vm-4321"));
            assertTrue(BoundedRocksDbMemory.sharedCacheBytes() > 0, "the setter ran");
        } finally {
            store.close();
        }
    }

    @Test
    void aBadSizeIsASentenceNamingTheSetting() {
        assertEquals(BoundedRocksDbMemory.DEFAULT_MEMORY_MB, BoundedRocksDbMemory.memoryMb(Map.of()));
        assertEquals(128, BoundedRocksDbMemory.memoryMb(Map.of(BoundedRocksDbMemory.MEMORY_MB, " 128 ")));
        assertEquals(16, BoundedRocksDbMemory.memoryMb(Map.of(BoundedRocksDbMemory.MEMORY_MB, 16)));
        for (String bad : new String[] {"lots", "4", "-1", "1.5"}) {
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> BoundedRocksDbMemory.memoryMb(Map.of(BoundedRocksDbMemory.MEMORY_MB, bad)));
            assertTrue(e.getMessage().contains(BoundedRocksDbMemory.MEMORY_MB), e.getMessage());
            assertTrue(e.getMessage().contains("at least 8"), e.getMessage());
        }
    }
}
