package io.lmadvisor.streams.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.streams.evaluation.VmHistory;
import io.lmadvisor.streams.recommend.MigrationSettingsFactory;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DashboardPartsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        io.lmadvisor.serde.AvroTrust.install();
    }

    @Test
    void theSessionCookieIsAnHmacOfTheTokenNotTheToken() {
        String a = Dashboard.sessionValue("s3cret");
        assertEquals(a, Dashboard.sessionValue("s3cret"), "every instance derives the same cookie");
        assertNotEquals(a, Dashboard.sessionValue("s3cret2"));
        assertFalse(a.contains("s3cret"));
        assertEquals(64, a.length());
    }

    @Test
    void theWorstOpenRiskIsTheMostSevere() {
        Map<SlaRiskType, SlaRiskSeverity> open = new EnumMap<>(SlaRiskType.class);
        open.put(SlaRiskType.DOWNTIME_RISK, SlaRiskSeverity.WARNING);
        open.put(SlaRiskType.NO_FEASIBLE_MIGRATION, SlaRiskSeverity.CRITICAL);
        open.put(SlaRiskType.AGENT_SILENT, SlaRiskSeverity.INFO);
        assertEquals(SlaRiskType.NO_FEASIBLE_MIGRATION, Dashboard.worst(open).getKey());
        open.remove(SlaRiskType.NO_FEASIBLE_MIGRATION);
        open.put(SlaRiskType.PRECOPY_NON_CONVERGENT, SlaRiskSeverity.WARNING);
        assertEquals(SlaRiskType.PRECOPY_NON_CONVERGENT, Dashboard.worst(open).getKey(), "ties: the earlier risk type");
        assertEquals(null, Dashboard.worst(Map.of()));
    }

    @Test
    void settingsBecomeQmpVirshAndKubevirtText() throws Exception {
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.COMPRESS, 100, 300, 4096, 512, 60_000);
        String[] qmp = SettingsText.qmp(s, "host-2").split("\n");
        JsonNode caps = JSON.readTree(qmp[0]);
        assertEquals("migrate-set-capabilities", caps.get("execute").asText());
        assertEquals("multifd", caps.at("/arguments/capabilities/0/capability").asText());
        JsonNode params = JSON.readTree(qmp[1]);
        assertTrue(params.at("/arguments/downtime-limit").isNumber(), "QMP wants integers as numbers: " + qmp[1]);
        assertEquals(300, params.at("/arguments/downtime-limit").asLong());
        assertEquals("zstd", params.at("/arguments/multifd-compression").asText());
        assertEquals(
                "tcp:host-2:4444", JSON.readTree(qmp[2]).at("/arguments/uri").asText());

        String virsh = SettingsText.virsh(s, "vm-1", "host-2");
        assertTrue(virsh.startsWith("virsh migrate --live"), virsh);
        assertTrue(
                virsh.contains("--parallel-connections 4") && virsh.endsWith(" vm-1 qemu+ssh://host-2/system"), virsh);

        String policy = SettingsText.kubevirt(s, "VM_1");
        assertTrue(policy.contains("kind: MigrationPolicy"), policy);
        assertTrue(policy.contains("name: lm-advisor-vm-1"), "a valid Kubernetes name: " + policy);
        assertTrue(policy.contains("bandwidthPerMigration: \"" + s.getBandwidthPerMigration() + "\""), policy);
        assertTrue(policy.contains("kubevirt.io/vm: \"VM_1\""), policy);
    }

    @Test
    void postCopySettingsSayWhenToSwitch() {
        MigrationSettings s = MigrationSettingsFactory.settingsFor(Algorithm.POSTCOPY, 100, 300, 4096, 512, 60_000);
        String qmp = SettingsText.qmp(s, null);
        assertTrue(qmp.contains("migrate-start-postcopy") && qmp.contains("tcp:DESTINATION:4444"), qmp);
    }

    @Test
    void anOutcomeStandsNextToThePredictionCurrentAtItsStart() {
        Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
        VmHistory history = new VmHistory();
        history.putRecommendation(recommendation(t0, 10_000));
        history.putRecommendation(recommendation(t0.plusSeconds(20), 20_000));
        history.putRecommendation(recommendation(t0.plusSeconds(40), 30_000));
        MigrationOutcome o = MigrationOutcome.newBuilder()
                .setMigrationId("m1")
                .setVmId("vm-1")
                .setAlgorithm(MigrationAlgorithm.XBZRLE)
                .setSourceHostId("h1")
                .setDestinationHostId("h2")
                .setBandwidthMBps(100)
                .setStartTime(t0.plusSeconds(30))
                .setEndTime(t0.plusSeconds(60))
                .setStatus(MigrationStatus.COMPLETED)
                .setTotalTimeMs(25_000L)
                .setDowntimeMs(100L)
                .setTransferredBytes(1L << 30)
                .setAppliedCapabilities(Map.of())
                .setAppliedParameters(Map.of())
                .build();
        JsonNode rows = Dashboard.outcomes(List.of(o), history);
        assertEquals(1, rows.size());
        assertEquals(25_000, rows.get(0).at("/actual/totalTimeMs").asDouble());
        assertEquals(20_000, rows.get(0).at("/predicted/totalTimeMs").asDouble(), "the window ending before the start");
        MigrationOutcome early =
                MigrationOutcome.newBuilder(o).setStartTime(t0.minusSeconds(60)).build();
        assertTrue(Dashboard.outcomes(List.of(early), history)
                .get(0)
                .get("predicted")
                .isNull());
    }

    private static MigrationRecommendation recommendation(Instant windowEnd, double xbzrleTotalMs) {
        List<AlgorithmPrediction> predictions = new java.util.ArrayList<>();
        for (MigrationAlgorithm a : MigrationAlgorithm.values()) {
            predictions.add(AlgorithmPrediction.newBuilder()
                    .setAlgorithm(a)
                    .setTotalTimeMs(a == MigrationAlgorithm.XBZRLE ? xbzrleTotalMs : 1)
                    .setDowntimeMs(1)
                    .setTransferredBytes(1)
                    .setPerformanceDegradation(0)
                    .setSourceCpuExtraPercent(0)
                    .setSourceMemExtraMb(0)
                    .setSlaVerdict(SlaVerdict.values()[0])
                    .setViolatedLimits(List.of())
                    .setUnknownLimits(List.of())
                    .build());
        }
        return MigrationRecommendation.newBuilder()
                .setVmId("vm-1")
                .setSourceHostId("h1")
                .setProfileWindowEnd(windowEnd)
                .setCreatedAt(windowEnd)
                .setDestinationHostId("h2")
                .setAlgorithm(MigrationAlgorithm.PRECOPY)
                .setBandwidthMBps(100)
                .setSettings(null)
                .setPredictions(predictions)
                .setModelVersion("m")
                .setReason("r")
                .build();
    }
}
