package io.lmadvisor.executor.qmp;

import static io.lmadvisor.qmp.FakeQmpServer.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QMP executor against scripted QEMUs on Unix sockets: the commands it sends and what it reports. */
class QmpMigrationExecutorTest {
    private static final String URI = "tcp:127.0.0.1:4444";

    @TempDir
    Path dir;

    private FakeQemu source;
    private FakeQemu destination;
    private InventoryEntry entry;
    private final QmpMigrationExecutor executor = new QmpMigrationExecutor(
            QmpExecutorSettings.defaults().withBaseline(Duration.ZERO).withPollInterval(Duration.ofMillis(5)));

    @BeforeEach
    void qemus() throws Exception {
        source = new FakeQemu(dir.resolve("src.qmp"), "running");
        destination = new FakeQemu(dir.resolve("dst.qmp"), "inmigrate");
        entry = InventoryEntry.of("vm-1", dir.resolve("src.qmp"), dir.resolve("dst.qmp"), URI);
    }

    @AfterEach
    void close() throws Exception {
        source.close();
        destination.close();
    }

    /** What the topology recommends for a 512 MiB VM on a 1 GbE link (125 MB/s). */
    static MigrationRecommendation recommendation(Algorithm algorithm) {
        return recommendation(algorithm, MigrationSettingsFactory.settingsFor(algorithm, 125.0, 300, 512, 128, 5000));
    }

    static MigrationRecommendation recommendation(Algorithm algorithm, MigrationSettings settings) {
        return MigrationRecommendation.newBuilder()
                .setVmId("vm-1")
                .setSourceHostId("host-a")
                .setDestinationHostId("host-b")
                .setProfileWindowEnd(Instant.now().minusSeconds(5))
                .setCreatedAt(Instant.now())
                .setAlgorithm(MigrationAlgorithm.valueOf(algorithm.name()))
                .setBandwidthMBps(125.0)
                .setSettings(settings)
                .setPredictions(List.of())
                .setModelVersion("m1")
                .setReason("test")
                .build();
    }

    private static String caps(String... nameState) {
        StringBuilder b = new StringBuilder("{\"capabilities\":[");
        for (int i = 0; i < nameState.length; i += 2) {
            b.append(i > 0 ? "," : "")
                    .append("{\"capability\":\"")
                    .append(nameState[i])
                    .append("\",\"state\":")
                    .append(nameState[i + 1])
                    .append('}');
        }
        return b.append("]}").toString();
    }

    @Test
    void precopySetsBandwidthInBytesPerSecondAndDowntimeThenMigrates() throws Exception {
        MigrationOutcome o = executor.execute(recommendation(Algorithm.PRECOPY), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals(List.of("migrate-incoming {\"uri\":\"" + URI + "\"}"), destination.mutations());
        assertEquals(
                List.of(
                        // 'events' lets the executor see MIGRATION state changes between polls.
                        "migrate-set-capabilities " + caps("events", "true"),
                        "migrate-set-parameters {\"downtime-limit\":300,\"max-bandwidth\":125000000}",
                        "migrate {\"uri\":\"" + URI + "\"}",
                        // Put back afterwards: QEMU's own defaults.
                        "migrate-set-capabilities " + caps("events", "false"),
                        "migrate-set-parameters {\"max-bandwidth\":134217728}"),
                source.mutations());
        assertEquals(1234L, o.getTotalTimeMs());
        assertEquals(17L, o.getDowntimeMs());
        assertEquals(3L, o.getSetupTimeMs());
        assertEquals(4_000_000L, o.getTransferredBytes());
        assertEquals(4L, o.getDirtySyncCount());
        assertEquals(125.0, o.getBandwidthMBps(), 1e-9);
        assertEquals("10.0.2", o.getQemuVersion());
        assertEquals(Map.of("downtime-limit", "300", "max-bandwidth", "125000000"), o.getAppliedParameters());
        assertEquals("qmp", o.getExecutor());
        assertNull(o.getPostcopyStartedAfterMs());
        assertNull(o.getFailureReason());
    }

    @Test
    void autoConvergeSetsTheCapabilityAndThrottleAndReportsTheLastThrottle() throws Exception {
        MigrationOutcome o = executor.execute(recommendation(Algorithm.AUTO_CONVERGE), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals(List.of("migrate-incoming"), destination.mutatingCommands());
        List<String> m = source.mutations();
        assertEquals("migrate-set-capabilities " + caps("auto-converge", "true", "events", "true"), m.get(0));
        assertTrue(
                m.get(1)
                        .startsWith("migrate-set-parameters {\"downtime-limit\":300,\"max-bandwidth\":125000000,"
                                + "\"cpu-throttle-initial\":20,\"cpu-throttle-increment\":10}"),
                m.get(1));
        assertEquals("migrate {\"uri\":\"" + URI + "\"}", m.get(2));
        assertEquals(40, o.getLastThrottlePercent());
        assertEquals(Map.of("auto-converge", true, "events", true), o.getAppliedCapabilities());
        // Nothing left configured on the source: the capability is off again.
        assertFalse(source.caps.get("auto-converge"));
    }

    @Test
    void xbzrleSetsCapabilityAndCacheOnTheSourceOnly() throws Exception {
        MigrationOutcome o = executor.execute(recommendation(Algorithm.XBZRLE), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals(List.of("migrate-incoming"), destination.mutatingCommands());
        List<String> m = source.mutations();
        assertEquals("migrate-set-capabilities " + caps("xbzrle", "true", "events", "true"), m.get(0));
        JsonNode params = JSON.readTree(m.get(1).substring("migrate-set-parameters ".length()));
        assertEquals(128L << 20, params.get("xbzrle-cache-size").asLong());
        assertTrue(params.get("xbzrle-cache-size").isNumber());
    }

    @Test
    void compressionIsMultifdZstdOnBothSidesBeforeMigrateIncoming() throws Exception {
        MigrationOutcome o = executor.execute(recommendation(Algorithm.COMPRESS), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals(
                List.of(
                        "migrate-set-capabilities " + caps("multifd", "true"),
                        "migrate-set-parameters {\"multifd-channels\":4,\"multifd-compression\":\"zstd\"}",
                        "migrate-incoming {\"uri\":\"" + URI + "\"}"),
                destination.mutations());
        List<String> m = source.mutations();
        assertEquals("migrate-set-capabilities " + caps("multifd", "true", "events", "true"), m.get(0));
        assertTrue(m.get(1).contains("\"multifd-channels\":4,\"multifd-compression\":\"zstd\""), m.get(1));
        assertEquals("migrate {\"uri\":\"" + URI + "\"}", m.get(2));
    }

    @Test
    void postcopyEnablesItOnBothSidesAndSwitchesAtTheRecommendedTime() throws Exception {
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.POSTCOPY, 125.0, 300, 512, 128, 5000);
        s.setStartPostcopyAfterMs(0L);
        MigrationOutcome o = executor.execute(recommendation(Algorithm.POSTCOPY, s), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals(List.of("migrate-set-capabilities", "migrate-incoming"), destination.mutatingCommands());
        assertEquals(
                "migrate-set-capabilities " + caps("postcopy-ram", "true"),
                destination.mutations().get(0));
        List<String> cmds = source.mutatingCommands();
        assertEquals(
                List.of("migrate-set-capabilities", "migrate-set-parameters", "migrate", "migrate-start-postcopy"),
                cmds.subList(0, 4));
        assertNotNull(o.getPostcopyStartedAfterMs());
        // The post-copy phase is capped like the pre-copy phase (QEMU's default for it is unlimited).
        assertTrue(
                source.mutations().get(1).contains("\"max-postcopy-bandwidth\":125000000"),
                source.mutations().get(1));
    }

    @Test
    void postcopyDowntimeSentinelIsRecordedAsZero() throws Exception {
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.POSTCOPY, 125.0, 300, 512, 128, 5000);
        s.setStartPostcopyAfterMs(0L);
        MigrationOutcome real = executor.execute(recommendation(Algorithm.POSTCOPY, s), entry);
        assertEquals(17L, real.getDowntimeMs(), "a real post-copy stop is kept");

        // QEMU overwrites a sub-millisecond post-copy stop with the whole post-copy phase.
        source.completedDowntimeMs = 1200;
        MigrationOutcome sentinel = executor.execute(recommendation(Algorithm.POSTCOPY, s), entry);
        assertEquals(MigrationStatus.COMPLETED, sentinel.getStatus(), sentinel.getFailureReason());
        assertEquals(1234L, sentinel.getTotalTimeMs());
        assertEquals(0L, sentinel.getDowntimeMs());
    }

    @Test
    void precopyDowntimeIsNeverReadAsTheSentinel() throws Exception {
        source.completedDowntimeMs = 1200;
        MigrationOutcome o = executor.execute(recommendation(Algorithm.PRECOPY), entry);
        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertEquals(1200L, o.getDowntimeMs());
    }

    @Test
    void cancelsAtTheCompletionTimeoutAndPutsEverythingBack() throws Exception {
        source.activePolls = -1;
        source.baseMemoryBytes = 128L << 20;
        source.caps.put("auto-converge", true);
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.XBZRLE, 125.0, 300, 128, 64, 100);
        // 1 s per GiB x 1/8 GiB: cancelled after 125 ms.
        s.setCompletionTimeoutPerGiB(1L);
        MigrationOutcome o = executor.execute(recommendation(Algorithm.XBZRLE, s), entry);

        assertEquals(MigrationStatus.NON_CONVERGED, o.getStatus());
        assertTrue(o.getFailureReason().contains("completion timeout of 125 ms"), o.getFailureReason());
        List<String> cmds = source.mutatingCommands();
        int cancel = cmds.indexOf("migrate_cancel");
        assertTrue(cancel > cmds.indexOf("migrate"), cmds.toString());
        // The stale auto-converge was switched off for this run, and everything is back as it was.
        assertEquals(
                "migrate-set-capabilities " + caps("auto-converge", "false", "xbzrle", "true", "events", "true"),
                source.mutations().get(0));
        assertTrue(source.caps.get("auto-converge"));
        assertFalse(source.caps.get("xbzrle"));
        assertEquals(300, source.params.get("downtime-limit").asInt());
        assertEquals(134217728L, source.params.get("max-bandwidth").asLong());
        assertEquals(64L << 20, source.params.get("xbzrle-cache-size").asLong());
        assertNotNull(o.getTotalTimeMs());
        assertNull(o.getDowntimeMs());
    }

    @Test
    void aMissingCapabilityIsAFailedOutcomeAndNothingIsChanged() throws Exception {
        // The zlib 'compress' capability the CSAP model learned: gone since QEMU 9.1.
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.PRECOPY, 125.0, 300, 512, 128, 5000);
        s.setQemuCapabilities(Map.of("compress", true));
        MigrationOutcome o = executor.execute(recommendation(Algorithm.COMPRESS, s), entry);

        assertEquals(MigrationStatus.FAILED, o.getStatus());
        assertTrue(o.getFailureReason().contains("no migration capability 'compress'"), o.getFailureReason());
        assertTrue(o.getFailureReason().contains("9.1"), o.getFailureReason());
        assertEquals(List.of(), source.mutations());
        assertEquals(List.of(), destination.mutations());
    }

    @Test
    void aDestinationNotWaitingForAMigrationIsAFailedOutcome() throws Exception {
        destination.runState = "running";
        MigrationOutcome o = executor.execute(recommendation(Algorithm.PRECOPY), entry);

        assertEquals(MigrationStatus.FAILED, o.getStatus());
        assertTrue(o.getFailureReason().contains("-incoming defer"), o.getFailureReason());
        assertEquals(List.of(), source.mutations());
    }

    @Test
    void anUnreachableSocketIsAFailedOutcomeNamingIt() throws Exception {
        InventoryEntry gone = InventoryEntry.of("vm-1", dir.resolve("nope.qmp"), dir.resolve("dst.qmp"), URI);
        MigrationOutcome o = executor.execute(recommendation(Algorithm.PRECOPY), gone);

        assertEquals(MigrationStatus.FAILED, o.getStatus());
        assertTrue(o.getFailureReason().contains("nope.qmp"), o.getFailureReason());
    }

    @Test
    void refusesAVmNotInTheInventoryWithoutTouchingAnyQemu() {
        Inventory inventory = Inventory.of(Map.of("vm-2", entry));
        QmpMigrationExecutor.Refused e = assertThrows(
                QmpMigrationExecutor.Refused.class,
                () -> executor.execute(recommendation(Algorithm.PRECOPY), inventory));
        assertTrue(e.getMessage().contains("vm-1 is not in the inventory"), e.getMessage());
        assertEquals(List.of(), source.server.commands());
    }

    @Test
    void refusesARecommendationWithoutAlgorithm() {
        MigrationRecommendation r = recommendation(Algorithm.PRECOPY);
        r.setAlgorithm(null);
        r.setSettings(null);
        assertThrows(QmpMigrationExecutor.Refused.class, () -> executor.execute(r, entry));
    }

    @Test
    void oneMigrationPerVmAtATimeAndStopCancels() {
        source.activePolls = -1;
        CompletableFuture<MigrationOutcome> first = CompletableFuture.supplyAsync(() -> {
            try {
                return executor.execute(recommendation(Algorithm.PRECOPY), entry);
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> source.server.commands().contains("query-migrate")
                        && source.mutatingCommands().contains("migrate"));
        assertTrue(executor.isMigrating("vm-1"));
        QmpMigrationExecutor.Refused e = assertThrows(
                QmpMigrationExecutor.Refused.class, () -> executor.execute(recommendation(Algorithm.PRECOPY), entry));
        assertTrue(e.getMessage().contains("already being migrated"), e.getMessage());

        executor.stop();
        MigrationOutcome o = first.join();
        assertEquals(MigrationStatus.CANCELLED, o.getStatus());
        assertTrue(source.mutatingCommands().contains("migrate_cancel"));
        assertFalse(executor.isMigrating("vm-1"));
    }

    @Test
    void dryRunPrintsTheCommandsAsJsonLinesWithoutConnecting() throws Exception {
        MigrationPlan plan = executor.plan(recommendation(Algorithm.COMPRESS), entry);
        List<String> lines = plan.jsonLines();

        List<String> order = lines.stream()
                .map(l -> {
                    try {
                        JsonNode n = JSON.readTree(l);
                        return n.get("qmp").asText().endsWith("dst.qmp") + ":"
                                + n.get("execute").asText();
                    } catch (Exception e) {
                        throw new AssertionError(l, e);
                    }
                })
                .toList();
        assertEquals(
                List.of(
                        "true:migrate-set-capabilities",
                        "true:migrate-set-parameters",
                        "true:migrate-incoming",
                        "false:migrate-set-capabilities",
                        "false:migrate-set-parameters",
                        "false:migrate",
                        "false:migrate_cancel"),
                order);
        JsonNode params = JSON.readTree(lines.get(4)).get("arguments");
        assertEquals(125_000_000L, params.get("max-bandwidth").asLong());
        assertTrue(params.get("multifd-channels").isNumber());
        assertEquals(List.of(), source.server.commands());

        List<String> post =
                executor.plan(recommendation(Algorithm.POSTCOPY), entry).jsonLines();
        JsonNode sw = JSON.readTree(post.get(post.size() - 2));
        assertEquals("migrate-start-postcopy", sw.get("execute").asText());
        // 0.5 % of the first pass of 512 MiB at 125 MB/s (PostcopySwitch).
        assertEquals(21, sw.get("afterMs").asLong());
    }
}
