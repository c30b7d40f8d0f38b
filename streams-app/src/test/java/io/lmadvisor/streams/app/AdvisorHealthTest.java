package io.lmadvisor.streams.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdvisorHealthTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AdvisorHealth health = new AdvisorHealth(
            new HealthSettings(2, Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(5)), now::get);

    @Test
    void aThreadThatKeepsFailingMakesReadinessDownUntilTheFailuresAge() {
        health.threadFailed(new IllegalStateException("wrapper", new NullPointerException("value is null")));
        health.threadFailed(new NullPointerException("value is null"));
        assertTrue(health.threadsCheck().up(), "two failures are within the limit");
        health.threadFailed(new NullPointerException("value is null\n\tat somewhere"));
        AdvisorHealth.Check threads = health.threadsCheck();
        assertFalse(threads.up());
        assertTrue(
                threads.reason().contains("3 times")
                        && threads.reason().contains("NullPointerException: value is null"),
                threads.reason());
        assertFalse(threads.reason().contains("\n"), "one line");
        assertEquals(3, health.threadFailures());

        now.addAndGet(Duration.ofMinutes(6).toNanos());
        assertTrue(health.threadsCheck().up(), "old failures no longer count");
        assertEquals(3, health.threadFailures(), "the counter keeps them");
    }

    @Test
    void beforeKafkaStreamsStartsItIsLiveButNotReady() {
        health.brokerProbe(false, "cannot reach 127.0.0.1:1 (bootstrap.servers): no answer within 5 s");
        assertTrue(health.live());
        assertFalse(health.ready());
        assertEquals("streams: not started: waiting for the Kafka broker", health.readinessSummary());
        assertEquals("DOWN", health.json(true, true).get("ready").asText());
        assertEquals(
                "cannot reach 127.0.0.1:1 (bootstrap.servers): no answer within 5 s",
                health.json(false, true)
                        .get("checks")
                        .get("broker")
                        .get("reason")
                        .asText());
    }
}
