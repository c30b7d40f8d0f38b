package io.lmadvisor.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The write-back layer reaches the changelog at every commit (the exactly-once contract: Kafka Streams must call
 * its flush before committing, through an internal interface that a Kafka upgrade could change), with the last
 * value of each key only, and reads and scans see what was put before the flush.
 */
class WriteBackStoreTest {
    private static final String STORE = "counts";
    private static final String CHANGELOG = "wb-test-" + STORE + "-changelog";

    /**
     * Adds 1 to the key's count three times per record (so a commit sees three puts), forwards get(), and the sum
     * of all() for a record "scan". Only a scan flushes by itself.
     */
    private static final class Counter implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;
        private KeyValueStore<String, Long> counts;

        @Override
        public void init(ProcessorContext<String, Long> context) {
            this.context = context;
            this.counts = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            for (int i = 0; i < 3; i++) {
                Long c = counts.get(record.key());
                counts.put(record.key(), c == null ? 1 : c + 1);
            }
            if ("delete".equals(record.value())) {
                counts.delete(record.key());
            }
            Long now = counts.get(record.key());
            context.forward(record.withValue(now == null ? -1L : now));
            if (!"scan".equals(record.value())) {
                return;
            }
            long total = 0;
            try (KeyValueIterator<String, Long> it = counts.all()) {
                while (it.hasNext()) {
                    total += it.next().value;
                }
            }
            context.forward(record.withKey("total").withValue(total));
        }
    }

    private static TopologyTestDriver driver() {
        StreamsBuilder builder = new StreamsBuilder();
        StoreBuilder<KeyValueStore<String, Long>> store = WriteBackStore.builder(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.Long()));
        ProcessorSupplier<String, String, String, Long> counter = new ProcessorSupplier<>() {
            @Override
            public Processor<String, String, String, Long> get() {
                return new Counter();
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(store);
            }
        };
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .process(counter)
                .to("out", Produced.with(Serdes.String(), Serdes.Long()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "wb-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyTestDriver(builder.build(), p);
    }

    @Test
    void eachCommitWritesTheLastValueOfEachChangedKeyToTheChangelog() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, String> in =
                    driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, Long> out =
                    driver.createOutputTopic("out", new StringDeserializer(), new LongDeserializer());
            TestOutputTopic<String, Long> changelog =
                    driver.createOutputTopic(CHANGELOG, new StringDeserializer(), new LongDeserializer());

            in.pipeInput("a", "x");
            in.pipeInput("b", "x");
            in.pipeInput("a", "x");

            // Reads see the puts before any flush.
            assertEquals(
                    List.of(KeyValue.pair("a", 3L), KeyValue.pair("b", 3L), KeyValue.pair("a", 6L)),
                    out.readKeyValuesToList());
            // The driver commits after each record as a stream thread does (StreamTask.prepareCommit): one
            // changelog record per changed key and commit, with the last value.
            assertEquals(
                    List.of(KeyValue.pair("a", 3L), KeyValue.pair("b", 3L), KeyValue.pair("a", 6L)),
                    changelog.readKeyValuesToList());
            KeyValueStore<String, Long> store = driver.getKeyValueStore(STORE);
            assertEquals(6L, store.get("a"));
        }
    }

    @Test
    void aScanSeesEveryPendingValue() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, String> in =
                    driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, Long> out =
                    driver.createOutputTopic("out", new StringDeserializer(), new LongDeserializer());
            in.pipeInput("a", "x");
            in.pipeInput("b", "scan");
            assertEquals(
                    List.of(KeyValue.pair("a", 3L), KeyValue.pair("b", 3L), KeyValue.pair("total", 6L)),
                    out.readKeyValuesToList());
        }
    }

    @Test
    void aDeleteReachesTheChangelogAsATombstone() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, String> in =
                    driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, Long> changelog =
                    driver.createOutputTopic(CHANGELOG, new StringDeserializer(), new LongDeserializer());
            in.pipeInput("a", "x");
            in.pipeInput("a", "delete");
            Map<String, Long> last = new HashMap<>();
            List<KeyValue<String, Long>> records = changelog.readKeyValuesToList();
            records.forEach(kv -> last.put(kv.key, kv.value));
            assertEquals(2, records.size());
            assertEquals(Map.of("a", 3L), Map.of("a", records.get(0).value));
            assertEquals(null, last.get("a"));
            assertEquals(null, driver.getKeyValueStore(STORE).get("a"));
        }
    }
}
