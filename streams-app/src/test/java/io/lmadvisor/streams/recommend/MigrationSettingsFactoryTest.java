package io.lmadvisor.streams.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.model.Algorithm;
import org.junit.jupiter.api.Test;

class MigrationSettingsFactoryTest {

    @Test
    void oneGigabitLinkGetsExactlyItsBytesPerSecondNotMiB() {
        // 1 GbE = 125 MB/s = 125,000,000 bytes/s; writing 125 MiB/s (131,072,000) would be 4.9% over the link.
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.PRECOPY, 125.0, 300, 4096, 512, 40_000);
        assertEquals("125000000", s.getQemuParameters().get("max-bandwidth"));
        assertEquals("125000000", s.getBandwidthPerMigration());
        int i = s.getVirshFlags().indexOf("--bandwidth");
        // virsh takes whole MiB/s: 119.2 rounds down, never above the link.
        assertEquals("119", s.getVirshFlags().get(i + 1));
    }

    @Test
    void everyAlgorithmCarriesBandwidthAndDowntimeLimit() {
        for (Algorithm a : Algorithm.values()) {
            MigrationSettings s = MigrationSettingsFactory.settingsFor(a, 1000.0, 250, 2048, 256, 10_000);
            assertEquals("1000000000", s.getQemuParameters().get("max-bandwidth"), a.name());
            assertEquals("250", s.getQemuParameters().get("downtime-limit"), a.name());
        }
        MigrationSettings post = MigrationSettingsFactory.settingsFor(Algorithm.POSTCOPY, 125.0, 300, 1000, 100, 9000);
        assertTrue(post.getQemuCapabilities().get("postcopy-ram"));
        // The post-copy phase is capped at the same link share as the pre-copy phase.
        assertEquals("125000000", post.getQemuParameters().get("max-postcopy-bandwidth"));
        assertTrue(String.join(" ", post.getVirshFlags()).contains("--postcopy-bandwidth 119"));
        assertEquals(
                null,
                MigrationSettingsFactory.settingsFor(Algorithm.PRECOPY, 125.0, 300, 1000, 100, 9000)
                        .getQemuParameters()
                        .get("max-postcopy-bandwidth"));
        // 0.5 % of the first pass (PostcopySwitch): 0.005 * (1000 * 2^20 bytes) / (125 * 10^6 bytes/s) = 41.9 ms.
        assertEquals(42L, post.getStartPostcopyAfterMs());
    }
}
