package io.lmadvisor.benchmarks;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * Leaves Kafka Streams' RocksDB options as they are, to compare with the advisor's bounded memory:
 * {@code -Dlm.bench.settings=rocksdb.config.setter=io.lmadvisor.benchmarks.KafkaDefaultRocksDb}.
 */
public final class KafkaDefaultRocksDb implements RocksDBConfigSetter {
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {}

    @Override
    public void close(String storeName, Options options) {}
}
