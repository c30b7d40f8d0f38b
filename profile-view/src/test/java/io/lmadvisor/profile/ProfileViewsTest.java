package io.lmadvisor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.features.Feature;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.features.ProfileView;
import io.lmadvisor.model.features.RawFeature;
import java.time.Instant;
import java.util.List;
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
    void theProfilesVcpusReachThrottlingBenefitAsTheModelSeesIt() {
        FeatureSchema schema = new FeatureSchema(List.of(Feature.THR_BF), 125, FeatureSchema.DEFAULT_VM_VCPUS);
        double pdr = ProfileViews.of(profile().build()).writeRateMiBps();
        // 150 % of one core: 75 % of the default 2 vCPUs, all of 1, 37.5 % of 4.
        assertEquals(pdr * 0.75, schema.extract(raw(profile().build()))[0], 1e-9);
        assertEquals(pdr, schema.extract(raw(profile().setVcpus(1).build()))[0], 1e-9);
        assertEquals(pdr * 0.375, schema.extract(raw(profile().setVcpus(4).build()))[0], 1e-9);
    }

    private static double[] raw(VmProfile p) {
        double[] raw = RawFeature.emptyVector();
        ProfileViews.of(p).fillVm(raw);
        return raw;
    }

    @Test
    void aProfileWithoutVcpusLeavesThemToTheModelsDefault() {
        ProfileView v = ProfileViews.of(profile().build());
        assertTrue(Double.isNaN(v.vcpus()));
        assertTrue(Double.isNaN(v.wse()));
        assertTrue(Double.isNaN(v.srcCpuAvailPercent()));
    }
}
