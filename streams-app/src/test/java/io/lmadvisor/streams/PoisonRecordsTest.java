package io.lmadvisor.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.score.Scorer;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.PoisonRecords.Poison;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.deadletter.RecordValidator;
import io.lmadvisor.streams.profile.VmSampleTimestampExtractor;
import io.lmadvisor.streams.recommend.HandModel;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import io.lmadvisor.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each kind of poison record in {@link PoisonRecords}, alone in a running topology: exactly one dead
 * letter with its reason and original bytes, and the good VMs of the same partition still get their
 * normal 20-sample profile afterwards (a skewed time would have given them 1-sample profiles).
 */
class PoisonRecordsTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final List<String> GOOD_VMS = List.of("vm-a", "vm-b");

    /** The agent's and the advisor's wall clock, moved with event time as in a live system. */
    private static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** One topology on the test driver, fed a good fleet. */
    private static final class Pipeline implements AutoCloseable {
        final String scope;
        final SchemaRegistry registry;
        final MovingClock clock = new MovingClock(T0);
        final AdvisorSerdes serdes;
        final TopologyTestDriver driver;
        final List<DeadLetter> globalDeadLetters = new ArrayList<>();
        final TestInputTopic<String, VmSample> samples;
        final TestOutputTopic<String, VmProfile> profiles;
        final TestOutputTopic<String, DeadLetter> deadLetters;

        Pipeline(String scope, boolean validatingSampleSerde) {
            this.scope = scope;
            registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + scope));
            AdvisorSerdes validating = AdvisorSerdes.create(registry, clock, RecordValidator.DEFAULT_MAX_CLOCK_SKEW);
            // Without validation on decoding, only the timestamp extractor and the processor stand between a
            // skewed sample and stream time.
            serdes = validatingSampleSerde
                    ? validating
                    : new AdvisorSerdes(
                            AvroSerdes.of(VmSample.class, registry, false),
                            validating.hostSample(),
                            validating.slaPolicy(),
                            validating.vmProfile(),
                            validating.recommendation(),
                            validating.riskEvent(),
                            validating.outcome(),
                            validating.evaluation(),
                            validating.validator());
            RecommendationEngine engine = new RecommendationEngine(new Scorer(new HandModel()), "hand-1", 3);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "poison-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put("schema.registry.url", "mock://" + scope);
            props.putAll(DeadLetters.handlerProperties());
            driver = new TopologyTestDriver(
                    AdvisorTopology.buildTopology(
                            AdvisorTopology.Settings.DEFAULTS,
                            serdes,
                            () -> engine,
                            new AdvisorMetrics(),
                            globalDeadLetters::add,
                            "poison-test"),
                    props,
                    T0);
            samples = driver.createInputTopic(
                    Topics.VM_SAMPLES, new StringSerializer(), serdes.vmSample().serializer());
            profiles = driver.createOutputTopic(
                    Topics.VM_PROFILES,
                    new StringDeserializer(),
                    serdes.vmProfile().deserializer());
            deadLetters = driver.createOutputTopic(
                    Topics.DEAD_LETTERS,
                    new StringDeserializer(),
                    AvroSerdes.of(DeadLetter.class, registry, false).deserializer());
            TestInputTopic<String, HostSample> hosts = driver.createInputTopic(
                    Topics.HOST_SAMPLES,
                    new StringSerializer(),
                    serdes.hostSample().serializer());
            hosts.pipeInput(
                    "src",
                    HostSample.newBuilder()
                            .setHostId("src")
                            .setTimestamp(T0)
                            .setCpuCores(4)
                            .setCpuAvailPercent(200)
                            .setMemTotalMb(16384)
                            .setMemAvailMb(8000)
                            .setMigrationLinkSpeedMBps(125)
                            .setMigrationLinkAvailMBps(100)
                            .build(),
                    T0);
        }

        /** Good samples of every good VM, one per second, with the wall clock following. */
        void goodSamples(int fromSecond, int toSecond) {
            for (int s = fromSecond; s < toSecond; s++) {
                Instant at = T0.plusSeconds(s);
                clock.now = at;
                for (String vm : GOOD_VMS) {
                    samples.pipeInput(
                            vm,
                            VmSample.newBuilder()
                                    .setVmId(vm)
                                    .setHostId("src")
                                    .setTimestamp(at)
                                    .setMemorySizeMb(2048)
                                    .setVmSizeMb(1024)
                                    .setDirtiedPagesPerSec(100)
                                    .setCpuUtilPercent(10)
                                    .build(),
                            at);
                }
            }
        }

        void inject(Poison p) {
            TestInputTopic<byte[], byte[]> raw =
                    driver.createInputTopic(p.topic(), new ByteArraySerializer(), new ByteArraySerializer());
            raw.pipeInput(new TestRecord<>(p.key(), p.value(), null, p.timestampMs()));
        }

        List<DeadLetter> allDeadLetters() {
            List<DeadLetter> all = new ArrayList<>(deadLetters.readValuesToList());
            all.addAll(globalDeadLetters);
            return all;
        }

        /** The good VMs' first windows closed with every one of their samples in them. */
        void assertGoodVmsGotFullProfiles(String context) {
            List<VmProfile> out = profiles.readValuesToList();
            for (String vm : GOOD_VMS) {
                List<VmProfile> mine =
                        out.stream().filter(p -> p.getVmId().equals(vm)).toList();
                assertEquals(1, mine.size(), context + ": one profile of " + vm + ": " + mine);
                assertEquals(T0.plusSeconds(20), mine.get(0).getWindowEnd(), context);
                assertEquals(20, mine.get(0).getSampleCount(), context + ": every sample of " + vm + " in its window");
            }
        }

        @Override
        public void close() {
            driver.close();
            MockSchemaRegistry.drop(scope);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyPoisonRecordGetsExactlyOneDeadLetterAndTheGoodVmsCarryOn() {
        int count;
        List<String> names = new ArrayList<>();
        try (Pipeline catalogue = new Pipeline("poison-catalogue", true)) {
            for (Poison p : PoisonRecords.all(catalogue.registry, T0)) {
                names.add(p.toString());
            }
            count = names.size();
        }
        assertTrue(count >= 30, "the catalogue covers every kind: " + names);
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> DynamicTest.dynamicTest(names.get(i), () -> {
                    try (Pipeline pipeline = new Pipeline("poison-" + i, true)) {
                        pipeline.goodSamples(0, 10);
                        Instant now = T0.plusSeconds(10);
                        pipeline.clock.now = now;
                        Poison poison =
                                PoisonRecords.all(pipeline.registry, now).get(i);
                        pipeline.inject(poison);
                        pipeline.goodSamples(10, 20);
                        pipeline.goodSamples(30, 31); // closes the window [0 s, 20 s)

                        List<DeadLetter> letters = pipeline.allDeadLetters();
                        assertEquals(1, letters.size(), poison + ": " + letters);
                        DeadLetter letter = letters.get(0);
                        assertTrue(
                                letter.getReason().contains(poison.reasonFragment()),
                                poison + ": '" + letter.getReason() + "' should contain '" + poison.reasonFragment()
                                        + "'");
                        assertTrue(
                                !letter.getReason().contains("\n")
                                        && letter.getReason().length() <= 300,
                                letter.getReason());
                        assertEquals(poison.topic(), letter.getSourceTopic());
                        assertBytes(poison.value(), letter.getValue(), poison + " value");
                        if (!poison.topic().equals(Topics.HOST_SAMPLES)
                                && !poison.topic().equals(Topics.SLA_POLICIES)) {
                            assertBytes(poison.key(), letter.getKey(), poison + " key");
                        }
                        pipeline.assertGoodVmsGotFullProfiles(poison.toString());
                    }
                }));
    }

    @Test
    void aSkewedSampleThatGetsPastDecodingNeverMovesStreamTime() {
        // Decoding does not check this sample here: the extractor must keep its time out, the processor dead-letters
        // it.
        try (Pipeline pipeline = new Pipeline("poison-skew-no-validation", false)) {
            pipeline.goodSamples(0, 10);
            pipeline.samples.pipeInput(
                    PoisonRecords.VM,
                    PoisonRecords.sample(T0.plus(Duration.ofMinutes(50))).build(),
                    T0.plusSeconds(10));
            pipeline.goodSamples(10, 20);
            assertTrue(
                    pipeline.profiles.isEmpty(),
                    "stream time stayed at the good samples' time: no window closed early");
            pipeline.goodSamples(30, 31);
            List<DeadLetter> letters = pipeline.allDeadLetters();
            assertEquals(1, letters.size(), letters.toString());
            assertTrue(
                    letters.get(0).getReason().contains("ahead of the wall clock"),
                    letters.get(0).getReason());
            assertTrue(
                    letters.get(0).getReason().contains("lm.max.clock.skew.ms"),
                    letters.get(0).getReason());
            pipeline.assertGoodVmsGotFullProfiles("skewed sample past decoding");
        }
    }

    @Test
    void theExtractorHandsKafkaStreamsThePartitionTimeForTimesItMustNotUse() {
        RecordValidator validator = new RecordValidator(Clock.fixed(T0, ZoneOffset.UTC), Duration.ofSeconds(60));
        VmSampleTimestampExtractor extractor = new VmSampleTimestampExtractor(validator);
        long partitionTime = T0.toEpochMilli() - 1_000;
        assertEquals(
                T0.toEpochMilli() - 5_000,
                extractor.extract(
                        record(PoisonRecords.sample(T0.minusSeconds(5)).build()), partitionTime),
                "a good time is used");
        assertEquals(
                partitionTime,
                extractor.extract(
                        record(PoisonRecords.sample(T0.plusSeconds(61)).build()), partitionTime));
        assertEquals(
                T0.toEpochMilli() + 60_000,
                extractor.extract(
                        record(PoisonRecords.sample(T0.plusSeconds(60)).build()), partitionTime),
                "exactly at the allowed skew is fine");
        assertEquals(
                partitionTime,
                extractor.extract(
                        record(PoisonRecords.sample(Instant.ofEpochMilli(-1)).build()), partitionTime));
        assertEquals(partitionTime, extractor.extract(record(null), partitionTime), "a tombstone");
        assertEquals(
                0, extractor.extract(record(null), -1), "never negative: Kafka Streams would drop the record silently");
    }

    private static ConsumerRecord<Object, Object> record(Object value) {
        return new ConsumerRecord<>(Topics.VM_SAMPLES, 0, 0, "k", value);
    }

    private static void assertBytes(byte[] expected, ByteBuffer actual, String what) {
        if (expected == null) {
            assertNull(actual, what);
            return;
        }
        ByteBuffer d = actual.duplicate();
        byte[] got = new byte[d.remaining()];
        d.get(got);
        assertArrayEquals(expected, got, what);
    }
}
