package io.lmadvisor.streams.state;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One block cache for every RocksDB store of this JVM, with the memtables charged to it: the advisor's RocksDB
 * memory stays within {@value #MEMORY_MB} (default {@value #DEFAULT_MEMORY_MB} MiB) however many tasks and
 * standbys it holds. Kafka Streams' defaults give each store instance its own 50 MB cache and up to three 16 MB
 * memtables outside the heap, so RocksDB's memory grew with the partitions an instance holds (docs/PERFORMANCE.md).
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    public static final String MEMORY_MB = "lm.rocksdb.memory.mb";
    public static final int DEFAULT_MEMORY_MB = 64;
    /** Share of the cache the memtables may take before RocksDB flushes them. */
    private static final double MEMTABLE_SHARE = 0.5;
    /** Share kept for index and filter blocks, which are read on every lookup. */
    private static final double HIGH_PRIORITY_SHARE = 0.1;

    private static final Object LOCK = new Object();
    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long cacheBytes;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long bytes = memoryMb(configs) * 1024L * 1024L;
        synchronized (LOCK) {
            // The first store sizes the cache; every store after it shares it (one size per JVM).
            if (cache == null) {
                cache = new LRUCache(bytes, -1, false, HIGH_PRIORITY_SHARE);
                writeBuffers = new WriteBufferManager((long) (bytes * MEMTABLE_SHARE), cache);
                cacheBytes = bytes;
            }
            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            table.setBlockCache(cache);
            table.setCacheIndexAndFilterBlocks(true);
            table.setCacheIndexAndFilterBlocksWithHighPriority(true);
            table.setPinTopLevelIndexAndFilter(true);
            options.setTableFormatConfig(table);
            options.setWriteBufferManager(writeBuffers);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // Shared by every store of the JVM: it lives as long as the JVM.
    }

    /** The size every RocksDB store of this JVM shares, in bytes; 0 before the first store opened. */
    public static long sharedCacheBytes() {
        synchronized (LOCK) {
            return cacheBytes;
        }
    }

    static long memoryMb(Map<String, ?> configs) {
        Object v = configs.get(MEMORY_MB);
        if (v == null) {
            return DEFAULT_MEMORY_MB;
        }
        try {
            long mb = Long.parseLong(v.toString().trim());
            if (mb >= 8) {
                return mb;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new ConfigException(
                MEMORY_MB, v, "the advisor's RocksDB memory must be a whole number of MiB, at least 8");
    }
}
