package io.lmadvisor.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.PoisonRecords;
import io.lmadvisor.streams.PoisonRecords.Poison;
import io.lmadvisor.topics.Topics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's chaos test: one running pipeline ({@link AdvisorPipeline}: {@code lm-advisor broker --data-dir}
 * with its registry, two {@code lm-advisor streams} instances, a live fleet, read_committed readers) takes, in
 * turn, every poison record of {@link PoisonRecords}, a broker restart, and a kill -9 of one instance. Prints
 * the figures docs/OPERATIONS.md records.
 */
class ChaosIT {
    private static final int VMS = 24;
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void poisonRecordsABrokerRestartAndAKillMinus9LoseNothingAndStopNothing() throws Exception {
        try (AdvisorPipeline pipeline = new AdvisorPipeline(dir, VMS, WINDOW, 4)) {
            pipeline.startInstance("a");
            pipeline.startInstance("b");
            pipeline.awaitReadiness(200, Duration.ofSeconds(180), "a", "b");
            pipeline.startReader();
            pipeline.startFleet();
            long warm = System.currentTimeMillis() + 2 * WINDOW.toMillis();
            pipeline.awaitWallClock(warm, Duration.ofSeconds(30));
            pipeline.awaitEveryVmRecommendedAfter(warm - WINDOW.toMillis(), Duration.ofSeconds(120));

            // 1. Every poison record, into the running pipeline.
            List<Poison> poisons = PoisonRecords.all(pipeline.registry, Instant.now());
            for (Poison p : poisons) {
                pipeline.sendRaw(p.topic(), p.timestampMs(), p.key(), p.value());
            }
            long injectedAt = System.currentTimeMillis();
            System.out.println("chaos: poison injected at " + Instant.ofEpochMilli(injectedAt));
            pipeline.awaitOrShowLogs(
                    Duration.ofSeconds(90),
                    () -> poisons.stream()
                            .allMatch(p -> !lettersFor(pipeline, p).isEmpty()));
            long deadLetteredMs = System.currentTimeMillis() - injectedAt;
            // No more for a while, so a second dead letter for any of them would show up.
            try {
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> pipeline.deadLetters.size() == poisons.size());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        pipeline.deadLetters.size() + " dead letters for " + poisons.size()
                                + " poison records; not for a poison record: " + others(pipeline, poisons) + "\n"
                                + pipeline.logs(),
                        e);
            }
            assertOneDeadLetterEach(pipeline, poisons);
            pipeline.awaitEveryVmRecommendedAfter(injectedAt, Duration.ofSeconds(60));
            assertNoDuplicateNoGap(pipeline, "after the poison records");
            assertEquals(
                    poisons.stream()
                            .filter(p -> p.topic().equals(Topics.MIGRATION_RECOMMENDATIONS))
                            .count(),
                    pipeline.undecodableRecommendations.size(),
                    "the reader skips only the poison put on the recommendations topic");

            // 2. A broker restart, data kept: readiness DOWN, then UP; schema ids kept; the pipeline carries on.
            Map<String, Integer> idsBefore = latestIds(pipeline.registryUrl);
            long stoppedAt = System.currentTimeMillis();
            System.out.println("chaos: broker stopped at " + Instant.ofEpochMilli(stoppedAt));
            pipeline.stopBroker();
            pipeline.awaitReadiness(503, Duration.ofSeconds(30), "a", "b");
            long downMs = System.currentTimeMillis() - stoppedAt;
            long restartedAt = System.currentTimeMillis();
            pipeline.startBroker();
            long listeningAt = System.currentTimeMillis();
            System.out.println("chaos: broker restarted at " + Instant.ofEpochMilli(restartedAt) + ", listening at "
                    + Instant.now());
            pipeline.awaitReadiness(200, Duration.ofSeconds(120), "a", "b");
            long upMs = System.currentTimeMillis() - restartedAt;
            Map<String, Integer> idsAfter = latestIds(pipeline.registryUrl);
            idsBefore.forEach(
                    (subject, id) -> assertEquals(id, idsAfter.get(subject), subject + " keeps its schema id"));
            long carryOnFrom = System.currentTimeMillis();
            pipeline.awaitEveryVmRecommendedAfter(carryOnFrom, Duration.ofSeconds(90));
            long carriedOnMs = System.currentTimeMillis() - restartedAt;
            assertNoDuplicateNoGap(pipeline, "after the broker restart");
            Map<String, Integer> decoded = lateSubscriberDecodesEverything(pipeline, poisons);

            // 3. kill -9 of one of the two instances.
            System.out.println("chaos: kill -9 at " + Instant.now());
            long recoveredMs = pipeline.killAndAwaitRecovery("a", Duration.ofSeconds(120));
            pipeline.awaitWallClock(System.currentTimeMillis() + 3 * WINDOW.toMillis(), Duration.ofSeconds(60));
            assertNoDuplicateNoGap(pipeline, "after the broker restart and the kill -9");
            assertOneDeadLetterEach(pipeline, poisons);

            // Samples stamped while the broker was away arrive after the wall clock closed their VMs' windows
            // (quiet VMs close by the wall clock): dead-lettered as late, with their reason. No other good record.
            List<String> others = others(pipeline, poisons, d -> true);
            List<String> unexpected = others(
                    pipeline,
                    poisons,
                    d -> !(d.getReason().contains("is too old")
                            && d.getTimestamp().toEpochMilli() >= stoppedAt - WINDOW.toMillis()
                            && d.getTimestamp().toEpochMilli() <= listeningAt));
            System.out.printf(
                    "chaos: %d poison records -> %d dead letters (all committed within %.1f s); "
                            + "broker restart: readiness DOWN after %.1f s, UP %.1f s after restart, every VM recommended again "
                            + "%.1f s after restart, %d samples of the outage dead-lettered as late; kill -9 -> every one of %d VMs "
                            + "recommended again in %.1f s (window %d s); %d (VM, window) pairs recommended, 0 duplicates, "
                            + "0 missing; %d samples sent; late subscriber decoded %s%n",
                    poisons.size(),
                    poisons.size(),
                    deadLetteredMs / 1000.0,
                    downMs / 1000.0,
                    upMs / 1000.0,
                    carriedOnMs / 1000.0,
                    others.size(),
                    VMS,
                    recoveredMs / 1000.0,
                    WINDOW.toSeconds(),
                    pipeline.recommended.size(),
                    pipeline.samplesSent.get(),
                    decoded);
            assertEquals(List.of(), unexpected, "no other good record is dead-lettered");
            assertTrue(
                    recoveredMs <= ServiceLifecycleIT.FAILOVER_TARGET.toMillis(),
                    "recovered in " + recoveredMs + " ms, target " + ServiceLifecycleIT.FAILOVER_TARGET.toMillis()
                            + " ms\n" + pipeline.logs());
        }
    }

    private static void assertOneDeadLetterEach(AdvisorPipeline pipeline, List<Poison> poisons) {
        for (Poison p : poisons) {
            List<DeadLetter> mine = lettersFor(pipeline, p);
            assertEquals(1, mine.size(), p + ": " + mine);
            assertTrue(
                    mine.get(0).getReason().contains(p.reasonFragment()),
                    p + ": '" + mine.get(0).getReason() + "' should contain '" + p.reasonFragment() + "'");
        }
    }

    private static void assertNoDuplicateNoGap(AdvisorPipeline pipeline, String when) throws Exception {
        if (!pipeline.duplicates().isEmpty()) {
            // Tell a duplicate in the log from one in the reader: a fresh read_committed reader counts again.
            throw new AssertionError("windows recommended twice " + when + ": " + pipeline.duplicates()
                    + "\na fresh read_committed reader finds twice: " + freshDuplicates(pipeline) + "\n"
                    + pipeline.logs());
        }
        assertEquals(List.of(), pipeline.gaps(), "windows never recommended " + when + "\n" + pipeline.logs());
    }

    /** Dead letters for no poison record: topic, key and reason of each. */
    private static List<String> others(AdvisorPipeline pipeline, List<Poison> poisons) {
        return others(pipeline, poisons, d -> true);
    }

    private static List<String> others(
            AdvisorPipeline pipeline, List<Poison> poisons, java.util.function.Predicate<DeadLetter> which) {
        return pipeline.deadLetters.stream()
                .filter(d -> poisons.stream().noneMatch(p -> p.isFor(d)))
                .filter(which)
                .map(d -> d.getSourceTopic() + " key "
                        + (d.getKey() == null
                                ? null
                                : StandardCharsets.UTF_8.decode(d.getKey().duplicate())) + " at " + d.getTimestamp()
                        + ": " + d.getReason())
                .toList();
    }

    private static List<DeadLetter> lettersFor(AdvisorPipeline pipeline, Poison p) {
        return pipeline.deadLetters.stream().filter(d -> p.isFor(d)).toList();
    }

    private static List<String> freshDuplicates(AdvisorPipeline pipeline) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<String>> seen = new TreeMap<>();
        var reader = pipeline.serdes.recommendation().deserializer();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.MIGRATION_RECOMMENDATIONS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (!parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        MigrationRecommendation m = reader.deserialize(r.topic(), r.value());
                        seen.computeIfAbsent(
                                        m.getVmId() + "@"
                                                + m.getProfileWindowEnd().toEpochMilli(),
                                        k -> new ArrayList<>())
                                .add(r.partition() + ":" + r.offset());
                    } catch (RuntimeException poison) {
                        // the injected garbage
                    }
                }
            }
        }
        return seen.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .map(e -> e.getKey() + " at " + e.getValue())
                .toList();
    }

    /** Subject -> id of its latest version, as the registry's REST API answers. */
    private static Map<String, Integer> latestIds(String registryUrl) throws Exception {
        Map<String, Integer> ids = new TreeMap<>();
        for (JsonNode subject : get(registryUrl + "/subjects")) {
            ids.put(
                    subject.asText(),
                    get(registryUrl + "/subjects/" + URLEncoder.encode(subject.asText(), StandardCharsets.UTF_8)
                                    + "/versions/latest")
                            .get("id")
                            .asInt());
        }
        assertTrue(ids.containsKey(Topics.VM_SAMPLES + "-value"), "subjects: " + ids);
        return ids;
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = AdvisorPipeline.HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /**
     * A subscriber that joins after the restart, with a fresh registry client, reads every committed record
     * of the live topics from the beginning and decodes all but the injected poison. Returns topic -> decoded.
     */
    private static Map<String, Integer> lateSubscriberDecodesEverything(
            AdvisorPipeline pipeline, List<Poison> poisons) {
        SchemaRegistry fresh = SchemaRegistries.fromConfig(Map.of("schema.registry.url", pipeline.registryUrl));
        Map<String, Deserializer<? extends SpecificRecord>> topics = Map.of(
                Topics.VM_SAMPLES, AvroSerdes.of(VmSample.class, fresh, false).deserializer(),
                Topics.HOST_SAMPLES,
                        AvroSerdes.of(HostSample.class, fresh, false).deserializer(),
                Topics.VM_PROFILES, AvroSerdes.of(VmProfile.class, fresh, false).deserializer(),
                Topics.MIGRATION_RECOMMENDATIONS,
                        AvroSerdes.of(MigrationRecommendation.class, fresh, false)
                                .deserializer(),
                Topics.SLA_RISK_EVENTS,
                        AvroSerdes.of(SlaRiskEvent.class, fresh, false).deserializer(),
                Topics.DEAD_LETTERS,
                        AvroSerdes.of(DeadLetter.class, fresh, false).deserializer());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> decoded = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = topics.keySet().stream()
                    .flatMap(t -> c.partitionsFor(t).stream().map(i -> new TopicPartition(t, i.partition())))
                    .toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (poisons.stream()
                            .anyMatch(x -> x.topic().equals(r.topic()) && Arrays.equals(x.value(), r.value()))) {
                        continue;
                    }
                    try {
                        topics.get(r.topic()).deserialize(r.topic(), r.value());
                        decoded.merge(r.topic(), 1, Integer::sum);
                    } catch (RuntimeException e) {
                        failures.add(r.topic() + "@" + r.partition() + ":" + r.offset() + " " + e.getMessage());
                    }
                }
                return partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
            });
        }
        assertEquals(
                List.of(),
                failures.subList(0, Math.min(10, failures.size())),
                failures.size() + " records do not decode");
        for (String t : List.of(
                Topics.VM_SAMPLES,
                Topics.HOST_SAMPLES,
                Topics.VM_PROFILES,
                Topics.MIGRATION_RECOMMENDATIONS,
                Topics.DEAD_LETTERS)) {
            assertTrue(decoded.getOrDefault(t, 0) > 0, "nothing decoded on " + t + ": " + decoded);
        }
        return decoded;
    }
}
