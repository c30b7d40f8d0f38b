package io.lmadvisor.serde;

import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskTransition;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.SlaVerdict;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every record type, plus variants with nulls. */
final class Samples {

    static final Instant T0 = Instant.parse("2026-11-02T10:00:00.123Z");

    private Samples() {}

    static VmSample vmSample() {
        return VmSample.newBuilder()
                .setVmId("vm-1")
                .setHostId("host-a")
                .setTimestamp(T0)
                .setMemorySizeMb(4096)
                .setVmSizeMb(1843.5)
                .setDirtiedPagesPerSec(12_000.0)
                .setWorkingSetPages(52_000L)
                .setChangedPageEntropy(0.71)
                .setUnchangedPageEntropy(0.2)
                .setModifiedBytesPerPage(812.0)
                .setInstructionsPerSec(2.4e9)
                .setCpuUtilPercent(85.0)
                .setNetUtilMBps(3.5)
                .setAgentVersion("0.1.0")
                .setSource("qmp")
                .build();
    }

    static VmSample sparseVmSample() {
        return VmSample.newBuilder()
                .setVmId("vm-2")
                .setHostId("host-a")
                .setTimestamp(T0)
                .setMemorySizeMb(1024)
                .setVmSizeMb(200.0)
                .setDirtiedPagesPerSec(0.0)
                .setCpuUtilPercent(1.0)
                .build();
    }

    static HostSample hostSample() {
        return HostSample.newBuilder()
                .setHostId("host-a")
                .setTimestamp(T0)
                .setCpuCores(8)
                .setCpuAvailPercent(400.0)
                .setMemTotalMb(65_536)
                .setMemAvailMb(30_000)
                .setMigrationLinkSpeedMBps(1250.0)
                .setMigrationLinkAvailMBps(900.0)
                .setNetUsedMBps(null)
                .build();
    }

    static VmProfile vmProfile() {
        return VmProfile.newBuilder()
                .setVmId("vm-1")
                .setHostId("host-a")
                .setWindowStart(T0)
                .setWindowEnd(T0.plusSeconds(20))
                .setSampleCount(20)
                .setVmSizeMb(1843.5)
                .setPdrPagesPerSec(12_000.0)
                .setWssPages(52_000.0)
                .setWse(0.7)
                .setNwse(null)
                .setMwppBytes(800.0)
                .setIpsPerSec(null)
                .setCpuUtilPercent(80.0)
                .setNetUtilMBps(2.0)
                .setSrcCpuAvailPercent(350.0)
                .setSrcMemAvailMb(null)
                .setLateSampleCount(1)
                .build();
    }

    static SlaPolicy slaPolicy() {
        return SlaPolicy.newBuilder()
                .setMaxDowntimeMs(300L)
                .setMaxTotalTimeMs(null)
                .setMaxPerformanceDegradation(0.2)
                .setMaxTransferredBytes(null)
                .setObjective(SlaObjective.MIN_DEGRADATION)
                .setNote("gold tier")
                .build();
    }

    static AlgorithmPrediction prediction(MigrationAlgorithm algorithm, SlaVerdict verdict) {
        return AlgorithmPrediction.newBuilder()
                .setAlgorithm(algorithm)
                .setTotalTimeMs(algorithm == MigrationAlgorithm.PRECOPY ? Double.POSITIVE_INFINITY : 9_500.0)
                .setDowntimeMs(120.0)
                .setTransferredBytes(2.1e9)
                .setPerformanceDegradation(0.05)
                .setSourceCpuExtraPercent(12.0)
                .setSourceMemExtraMb(64.0)
                .setSlaVerdict(verdict)
                .setViolatedLimits(verdict == SlaVerdict.MEETS_SLA ? List.of() : List.of("maxTotalTimeMs"))
                .build();
    }

    static MigrationSettings settings() {
        return MigrationSettings.newBuilder()
                .setQemuCapabilities(Map.of("postcopy-ram", true, "xbzrle", false))
                .setQemuParameters(Map.of("max-bandwidth", "125000000"))
                .setVirshFlags(List.of("--live", "--postcopy"))
                .setAllowAutoConverge(false)
                .setAllowPostCopy(true)
                .setBandwidthPerMigration("125000000")
                .setCompletionTimeoutPerGiB(150L)
                .build();
    }

    static MigrationRecommendation recommendation() {
        return MigrationRecommendation.newBuilder()
                .setVmId("vm-1")
                .setSourceHostId("host-a")
                .setProfileWindowEnd(T0.plusSeconds(20))
                .setCreatedAt(T0.plusSeconds(21))
                .setDestinationHostId("host-b")
                .setAlgorithm(MigrationAlgorithm.POSTCOPY)
                .setBandwidthMBps(125.0)
                .setSettings(settings())
                .setPredictions(List.of(
                        prediction(MigrationAlgorithm.PRECOPY, SlaVerdict.VIOLATES_SLA),
                        prediction(MigrationAlgorithm.POSTCOPY, SlaVerdict.MEETS_SLA)))
                .setModelVersion("m-1")
                .setReason("post-copy is the only algorithm within 300 ms")
                .build();
    }

    static MigrationRecommendation infeasibleRecommendation() {
        return MigrationRecommendation.newBuilder()
                .setVmId("vm-9")
                .setSourceHostId("host-a")
                .setProfileWindowEnd(T0)
                .setCreatedAt(T0)
                .setDestinationHostId(null)
                .setAlgorithm(null)
                .setBandwidthMBps(0.0)
                .setSettings(null)
                .setPredictions(List.of())
                .setModelVersion("m-1")
                .setReason("no host has 4 GiB free")
                .build();
    }

    static SlaRiskEvent riskEvent() {
        return SlaRiskEvent.newBuilder()
                .setVmId("vm-1")
                .setHostId("host-a")
                .setRiskType(SlaRiskType.DOWNTIME_RISK)
                .setTransition(SlaRiskTransition.RAISED)
                .setSeverity(SlaRiskSeverity.WARNING)
                .setTimestamp(T0)
                .setMessage("downtime 450 ms > 300 ms")
                .setPredictedValue(450.0)
                .setLimitValue(300.0)
                .setMetric("downtimeMs")
                .setModelVersion("m-1")
                .build();
    }

    static MigrationOutcome outcome() {
        return MigrationOutcome.newBuilder()
                .setMigrationId("mig-1")
                .setVmId("vm-1")
                .setAlgorithm(MigrationAlgorithm.XBZRLE)
                .setSourceHostId("host-a")
                .setDestinationHostId("host-b")
                .setBandwidthMBps(125.0)
                .setStartTime(T0)
                .setEndTime(T0.plusMillis(9_000))
                .setStatus(MigrationStatus.COMPLETED)
                .setTotalTimeMs(9_000L)
                .setDowntimeMs(80L)
                .setTransferredBytes(2_000_000_000L)
                .setPerformanceDegradation(0.04)
                .setSourceCpuExtraPercent(30.0)
                .setSourceMemExtraMb(null)
                .setRecommendationModelVersion("m-1")
                .setExecutor("virsh")
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("lm.vm-samples")
                .setPartition(3)
                .setOffset(12345L)
                .setTimestamp(T0)
                .setKey(ByteBuffer.wrap(new byte[] {'v', 'm'}))
                .setValue(ByteBuffer.wrap(new byte[] {1, 2}))
                .setReason("Unknown magic byte 0x01")
                .setErrorClass(NotWireFormatException.class.getName())
                .setApplication(null)
                .build();
    }

    static List<SpecificRecord> all() {
        return List.of(
                vmSample(),
                sparseVmSample(),
                hostSample(),
                vmProfile(),
                slaPolicy(),
                prediction(MigrationAlgorithm.COMPRESS, SlaVerdict.MEETS_SLA),
                settings(),
                recommendation(),
                infeasibleRecommendation(),
                riskEvent(),
                outcome(),
                deadLetter());
    }
}
