package io.lmadvisor.streams.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The safety nets: a processor that throws on one record, an output that cannot be serialized. */
class DeadLetterHandlersTest {
    private static final String SCOPE = "dead-letter-handlers-test";
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> in;
    private TestOutputTopic<String, String> out;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    /** Fails on "boom" the way a bug would. */
    private static final class Fragile implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            if (record.value().equals("boom")) {
                throw new IllegalStateException("no state for\nthis record");
            }
            context.forward(record);
        }
    }

    @BeforeEach
    void setUp() {
        Serializer<String> refusesBig = (topic, v) -> {
            if (v.startsWith("unwritable")) {
                throw new IllegalArgumentException("value cannot be written");
            }
            return v.getBytes(StandardCharsets.UTF_8);
        };
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        t.addProcessor("fragile", Fragile::new, "in");
        t.addSink("out", "out", new StringSerializer(), refusesBig, "fragile");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "handlers-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put("schema.registry.url", "mock://" + SCOPE);
        props.putAll(DeadLetters.handlerProperties());
        driver = new TopologyTestDriver(t, props);
        in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
        out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
        deadLetters = driver.createOutputTopic(
                Topics.DEAD_LETTERS,
                new StringDeserializer(),
                AvroSerdes.of(
                                DeadLetter.class,
                                SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE)),
                                false)
                        .deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        MockSchemaRegistry.drop(SCOPE);
    }

    @Test
    void aProcessorThatThrowsOnOneRecordDeadLettersItAndCarriesOn() {
        in.pipeInput("k1", "fine");
        in.pipeInput("k2", "boom");
        in.pipeInput("k3", "fine too");
        assertEquals(List.of("fine", "fine too"), out.readValuesToList());
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(1, letters.size(), letters.toString());
        DeadLetter d = letters.get(0);
        assertEquals("processor fragile failed: IllegalStateException: no state for | this record", d.getReason());
        assertEquals(IllegalStateException.class.getName(), d.getErrorClass());
        assertEquals("in", d.getSourceTopic());
        assertEquals(1L, d.getOffset());
        assertEquals("boom", StandardCharsets.UTF_8.decode(d.getValue()).toString(), "original bytes");
        assertEquals("k2", StandardCharsets.UTF_8.decode(d.getKey()).toString());
        assertEquals("handlers-test", d.getApplication());
    }

    @Test
    void anOutputThatCannotBeSerializedDeadLettersItsSourceRecord() {
        in.pipeInput("k1", "unwritable value");
        in.pipeInput("k2", "fine");
        assertEquals(List.of("fine"), out.readValuesToList());
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(1, letters.size(), letters.toString());
        assertTrue(
                letters.get(0).getReason().startsWith("cannot serialize the value for out: value cannot be written"),
                letters.get(0).getReason());
        assertEquals(
                "unwritable value",
                StandardCharsets.UTF_8.decode(letters.get(0).getValue()).toString());
    }

    @Test
    void reasonsAreOneShortLine() {
        assertEquals("a | b", DeadLetters.oneLine("  a\r\n  b "));
        assertEquals(
                DeadLetters.MAX_REASON_CHARS,
                DeadLetters.oneLine("x".repeat(1000)).length());
        assertEquals("no reason given", DeadLetters.oneLine(null));
    }
}
