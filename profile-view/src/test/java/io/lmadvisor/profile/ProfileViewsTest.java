package io.lmadvisor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.features.RawFeature;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProfileViewsTest {

    private static VmProfile.Builder profile() {
        return VmProfile.newBuilder()
                .setVmId("vm-1")
                .setHostId("h-1")
                .setWindowStart(Instant.parse("2026-11-30T00:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-30T00:00:20Z"))
                .setSampleCount(20)
                .setVmSizeMb(2048)
                .setPdrPagesPerSec(2560)
                .setWssPages(25_600)
                .setCpuUtilPercent(150)
                .setLateSampleCount(0);
    }

    @Test
    void everyMeasureReachesTheRawVectorInModelUnits() {
        VmProfile p = profile()
                .setWse(0.4)
                .setNwse(0.2)
                .setMwppBytes(900.0)
                .setIpsPerSec(1e9)
                .setNetUtilMBps(12.5)
                .setSrcCpuAvailPercent(80.0)
                .setSrcMemAvailMb(4096.0)
                .setVcpus(4)
                .build();
        ProfileView v = ProfileViews.of(p);
        assertEquals(Units.mibOfPages(2560), v.dirtyRateMiBps(), 1e-12);
        assertEquals(100.0, v.wssMib(), 1e-12);
        double[] raw = RawFeature.emptyVector();
        v.fillVm(raw);
        assertEquals(2048, raw[RawFeature.VM_SIZE.ordinal()]);
        assertEquals(v.writeRateMiBps(), raw[RawFeature.PDR.ordinal()]);
        assertEquals(0.4, raw[RawFeature.WSE.ordinal()]);
        assertEquals(0.2, raw[RawFeature.NWSE.ordinal()]);
        assertEquals(900, raw[RawFeature.MWPP.ordinal()]);
        assertEquals(1e9, raw[RawFeature.PMU_INSTR.ordinal()]);
        assertEquals(150, raw[RawFeature.CPU_UTIL.ordinal()]);
        assertEquals(12.5, raw[RawFeature.NET_UTIL.ordinal()]);
        assertEquals(80, raw[RawFeature.SRC_CPU_AVAIL.ordinal()]);
        assertEquals(4096, raw[RawFeature.SRC_MEM_AVAIL.ordinal()]);
        assertEquals(4, raw[RawFeature.VCPUS.ordinal()]);
    }

    @Test
    void aProfileWithoutVcpusLeavesThemToTheModelsDefault() {
        ProfileView v = ProfileViews.of(profile().build());
        assertTrue(Double.isNaN(v.vcpus()));
        assertTrue(Double.isNaN(v.wse()));
        assertTrue(Double.isNaN(v.srcCpuAvailPercent()));
    }
}
