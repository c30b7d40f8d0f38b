package io.lmadvisor.executor.qmp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.qmp.QmpClient;
import io.lmadvisor.qmp.RealQemu;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real live migrations between two QEMUs on this machine (TCG, no disk: the firmware runs), over
 * loopback TCP, carried out by the executor. Skipped without QEMU 9+.
 */
class QmpMigrationExecutorQemuTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final RealQemu qemu = new RealQemu();

    private static void startQemu(RealQemu qemu, Path dir, String name, boolean incoming) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "-machine",
                "q35",
                "-accel",
                "tcg",
                "-smp",
                "1",
                "-m",
                "128",
                "-display",
                "none",
                "-nodefaults",
                "-qmp",
                "unix:" + dir.resolve(name + ".qmp") + ",server=on,wait=off",
                "-name",
                "guest=" + name));
        if (incoming) {
            cmd.addAll(List.of("-incoming", "defer"));
        }
        qemu.start(dir.resolve(name + ".log"), cmd);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve(name + ".qmp")));
    }

    /** A running source and a destination waiting with {@code -incoming defer}, on a free loopback port. */
    static InventoryEntry pair(RealQemu qemu, Path dir, String vmId) throws IOException {
        startQemu(qemu, dir, "src", false);
        startQemu(qemu, dir, "dst", true);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return InventoryEntry.of(vmId, dir.resolve("src.qmp"), dir.resolve("dst.qmp"), "tcp:127.0.0.1:" + port);
    }

    private InventoryEntry pair() throws IOException {
        return pair(qemu, dir, "vm-1");
    }

    static String status(Path socket) throws Exception {
        try (QmpClient c = QmpClient.connect(socket, Duration.ofSeconds(10))) {
            return c.execute("query-status", null).path("status").asText();
        }
    }

    private static QmpMigrationExecutor executor() {
        return new QmpMigrationExecutor(QmpExecutorSettings.defaults()
                .withBaseline(Duration.ofMillis(500))
                .withPollInterval(Duration.ofMillis(20)));
    }

    @Test
    void precopyMigratesARealGuest() throws Exception {
        InventoryEntry entry = pair();
        MigrationOutcome o = executor().execute(QmpMigrationExecutorTest.recommendation(Algorithm.PRECOPY), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertTrue(
                o.getQemuVersion().matches("\\d+\\.\\d+\\.\\d+")
                        && Integer.parseInt(o.getQemuVersion().split("\\.")[0]) >= 9,
                o.getQemuVersion());
        assertTrue(o.getTotalTimeMs() > 0 && o.getTotalTimeMs() < 60_000, "total " + o.getTotalTimeMs());
        assertTrue(o.getDowntimeMs() >= 0 && o.getDowntimeMs() <= o.getTotalTimeMs(), "downtime " + o.getDowntimeMs());
        assertTrue(o.getTransferredBytes() > 0, "transferred " + o.getTransferredBytes());
        assertTrue(o.getDirtySyncCount() >= 1);
        assertNotNull(o.getSetupTimeMs());
        assertNull(o.getPostcopyStartedAfterMs());
        assertNotNull(o.getSourceCpuExtraPercent(), "source QEMU's CPU from /proc");
        assertNotNull(o.getSourceMemExtraMb(), "source QEMU's RSS from /proc");
        assertEquals("postmigrate", status(entry.sourceQmp()));
        assertEquals("running", status(entry.destinationQmp()));
    }

    /** The settings the topology writes for the other algorithms are accepted by a real QEMU and migrate. */
    @ParameterizedTest
    @EnumSource(
            value = Algorithm.class,
            names = {"AUTO_CONVERGE", "XBZRLE", "COMPRESS"})
    void everyOtherAlgorithmMigratesARealGuest(Algorithm algorithm) throws Exception {
        InventoryEntry entry = pair();
        MigrationOutcome o = executor().execute(QmpMigrationExecutorTest.recommendation(algorithm), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertTrue(o.getTransferredBytes() > 0, "transferred " + o.getTransferredBytes());
        assertEquals("running", status(entry.destinationQmp()));
    }

    @Test
    void aRealMigrationPastItsTimeoutIsCancelledAndTheSourceIsAsBefore() throws Exception {
        InventoryEntry entry = pair();
        // 10 kB/s cannot move the firmware's ~0.9 MB within 1 s per GiB x 1/8 GiB.
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.XBZRLE, 0.01, 300, 128, 32, 100);
        s.setCompletionTimeoutPerGiB(1L);
        String before;
        try (QmpClient c = QmpClient.connect(entry.sourceQmp(), Duration.ofSeconds(10))) {
            before = c.execute("query-migrate-parameters", null).toString()
                    + c.execute("query-migrate-capabilities", null);
        }
        MigrationOutcome o = executor().execute(QmpMigrationExecutorTest.recommendation(Algorithm.XBZRLE, s), entry);

        assertEquals(MigrationStatus.NON_CONVERGED, o.getStatus(), o.getFailureReason());
        assertEquals("running", status(entry.sourceQmp()));
        try (QmpClient c = QmpClient.connect(entry.sourceQmp(), Duration.ofSeconds(10))) {
            assertEquals(
                    "cancelled", c.execute("query-migrate", null).path("status").asText());
            assertEquals(
                    before,
                    c.execute("query-migrate-parameters", null).toString()
                            + c.execute("query-migrate-capabilities", null));
        }
    }

    @Test
    void postcopySwitchesAndMigratesARealGuest() throws Exception {
        InventoryEntry entry = pair();
        // A slow link (1 MB/s) keeps the migration running past the switch at 200 ms, and a 1 ms downtime
        // limit keeps QEMU from finishing in pre-copy (it would, with the firmware's ~1 MB and 300 ms).
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.POSTCOPY, 1.0, 1, 128, 32, 5000);
        s.setStartPostcopyAfterMs(200L);
        MigrationOutcome o = executor().execute(QmpMigrationExecutorTest.recommendation(Algorithm.POSTCOPY, s), entry);

        assertEquals(MigrationStatus.COMPLETED, o.getStatus(), o.getFailureReason());
        assertNotNull(o.getPostcopyStartedAfterMs(), "switched to post-copy");
        assertTrue(o.getPostcopyStartedAfterMs() >= 200, "switch at " + o.getPostcopyStartedAfterMs());
        assertTrue(o.getTotalTimeMs() >= o.getPostcopyStartedAfterMs() - 100, "total " + o.getTotalTimeMs());
        assertTrue(o.getTransferredBytes() > 0);
        assertEquals("1000000", o.getAppliedParameters().get("max-bandwidth"));
        assertEquals("postmigrate", status(entry.sourceQmp()));
        assertEquals("running", status(entry.destinationQmp()));
    }
}
