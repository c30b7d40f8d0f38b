package io.lmadvisor.executor;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.VmProfile;
import java.time.Instant;
import java.util.List;

/** Profiles and recommendations for the tests. */
final class Fixtures {
    static final Instant WINDOW_END = Instant.parse("2025-01-01T00:01:00Z");

    private Fixtures() {}

    /** A 2 GiB VM dirtying 20 MB/s (5120 pages/s) over a 256 MB working set, all optional measures set. */
    static VmProfile profile(String vmId, Instant windowEnd) {
        return VmProfile.newBuilder()
                .setVmId(vmId)
                .setHostId("host-a")
                .setWindowStart(windowEnd.minusSeconds(60))
                .setWindowEnd(windowEnd)
                .setSampleCount(60)
                .setVmSizeMb(2048)
                .setPdrPagesPerSec(5120)
                .setWssPages(65536)
                .setWse(0.6)
                .setNwse(0.3)
                .setMwppBytes(800.0)
                .setIpsPerSec(3e9)
                .setCpuUtilPercent(80)
                .setNetUtilMBps(2.0)
                .setSrcCpuAvailPercent(150.0)
                .setSrcMemAvailMb(6000.0)
                .setLateSampleCount(0)
                .build();
    }

    static MigrationRecommendation recommendation(String vmId, Instant windowEnd, MigrationAlgorithm algorithm) {
        return MigrationRecommendation.newBuilder()
                .setVmId(vmId)
                .setSourceHostId("host-a")
                .setProfileWindowEnd(windowEnd)
                .setCreatedAt(windowEnd.plusMillis(500))
                .setDestinationHostId("host-b")
                .setAlgorithm(algorithm)
                .setBandwidthMBps(100.0)
                .setSettings(null)
                .setPredictions(List.of())
                .setModelVersion("model-7")
                .setReason("test")
                .build();
    }
}
