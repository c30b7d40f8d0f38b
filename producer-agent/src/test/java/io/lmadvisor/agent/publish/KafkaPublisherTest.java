package io.lmadvisor.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.agent.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher's ordering and accounting against Kafka's MockProducer (completed by hand). */
class KafkaPublisherTest {
    @TempDir
    Path dir;

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final AgentCounters counters = new AgentCounters();

    private static SpoolRecord record(String key, long ts) {
        return SpoolRecord.of("t", key, ("v" + ts).getBytes(StandardCharsets.UTF_8), ts);
    }

    // A long retry backoff: after a failed drain the sender waits until close() wakes it.
    private KafkaPublisher publisher(DiskSpool spool) {
        return new KafkaPublisher(
                () -> producer, spool, counters, new KafkaPublisher.Settings(100, 1000, 60_000, 60_000));
    }

    /** Sends answered so far; MockProducer answers the oldest open send first. */
    private int completed;

    private void completeAll(int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            await(() -> producer.history().size() > completed);
            assertTrue(producer.completeNext());
            completed++;
        }
    }

    private void failAll(int n, RuntimeException e) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            await(() -> producer.history().size() > completed);
            assertTrue(producer.errorNext(e));
            completed++;
        }
    }

    @Test
    void aFailedBatchIsSpooledAheadOfLaterRecordsAndDrainedInOrder() throws Exception {
        List<SpoolRecord> first = List.of(record("a", 1000), record("b", 1000));
        List<SpoolRecord> second = List.of(record("a", 2000), record("b", 2000));
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            KafkaPublisher publisher = publisher(spool);
            publisher.submit(first);
            await(() -> producer.history().size() == 2);
            // Queued behind the batch in flight; must not overtake it when that batch fails.
            publisher.submit(second);
            failAll(2, new TimeoutException("broker gone"));
            await(publisher::spooling);
            completeAll(4);
            await(() -> !publisher.spooling());
            publisher.close(Duration.ofSeconds(5));

            List<ProducerRecord<byte[], byte[]>> history = producer.history();
            assertEquals(6, history.size());
            // Attempt 1 failed; then the spool: the failed batch first, then the later one.
            List<SpoolRecord> expected =
                    List.of(first.get(0), first.get(1), first.get(0), first.get(1), second.get(0), second.get(1));
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), fromRecord(history.get(i)), "send " + i);
            }
            assertEquals(4, counters.sent.get());
            assertEquals(4, counters.spooled.get());
            assertEquals(0, counters.dropped.get());
            assertTrue(spool.isEmpty());
            assertTrue(counters.sendFailures.get() >= 1);
        }
    }

    @Test
    void aRecordTheBrokerRejectsForGoodIsDroppedAndCountedNotSpooled() throws Exception {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            KafkaPublisher publisher = publisher(spool);
            publisher.submit(List.of(record("a", 1), record("b", 1)));
            failAll(1, new InvalidTimestampException("too far in the future"));
            completeAll(1);
            await(() -> counters.sent.get() + counters.dropped.get() == 2);
            publisher.close(Duration.ofSeconds(5));
            assertEquals(1, counters.sent.get());
            assertEquals(1, counters.dropped.get());
            assertFalse(publisher.spooling());
            assertTrue(spool.isEmpty());
        }
    }

    @Test
    void recordsLeftAtShutdownStayInTheSpoolForTheNextStart() throws Exception {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            KafkaPublisher publisher = publisher(spool);
            publisher.submit(List.of(record("a", 1)));
            await(() -> producer.history().size() == 1);
            // Queued in memory while the sender waits for the first answer.
            publisher.submit(List.of(record("a", 2)));
            failAll(1, new TimeoutException("broker gone"));
            await(publisher::spooling);
            // The drain attempt fails too, then the agent stops.
            failAll(2, new TimeoutException("still gone"));
            publisher.close(Duration.ZERO);
            assertEquals(0, counters.sent.get());
            assertEquals(0, counters.dropped.get());
        }
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(
                    List.of(record("a", 1), record("a", 2)), reopened.peek(10).records());
        }
    }

    @Test
    void whenTheSpoolFailsHealthSaysSoAndEverySampleIsCounted() throws Exception {
        DiskSpool spool = DiskSpool.open(dir, 1 << 20, 1 << 16);
        spool.close(); // stands in for a failed disk: every spool call now throws
        KafkaPublisher publisher = publisher(spool);
        publisher.submit(List.of(record("a", 1)));
        failAll(1, new TimeoutException("broker gone"));
        await(() -> counters.fatal() != null);
        assertTrue(counters.fatal().contains("closed"), counters.fatal());
        assertEquals(1, counters.dropped.get(), "the record that could not be spooled");
        publisher.submit(List.of(record("a", 2), record("b", 2)));
        assertEquals(3, counters.dropped.get());
        assertEquals(0, counters.sent.get());
    }

    private static SpoolRecord fromRecord(ProducerRecord<byte[], byte[]> r) {
        return new SpoolRecord(r.topic(), r.key(), r.value(), r.timestamp());
    }

    private static void await(BooleanSupplier condition) {
        // A liveness bound, not a speed check.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(condition::getAsBoolean);
    }
}
