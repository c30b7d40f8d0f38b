package io.lmadvisor.model.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.Units;
import org.junit.jupiter.api.Test;

class ProfileViewTest {

    @Test
    void convertsPagesOnceAndInterpretsTheDirtyRate() {
        // 256 pages are 1 MiB: 25 600 pages/s distinct over a 51 200-page (200 MiB) working set.
        ProfileView v = ProfileView.fromAgent(1024, 25_600, 51_200, null, 0.5, 800.0, null, 40, null, 350.0, null, 4);
        assertEquals(100.0, v.dirtyRateMiBps(), 1e-9);
        assertEquals(200.0, v.wssMib(), 1e-9);
        assertEquals(DirtyRate.writeRate(100, 200, DirtyRate.AGENT_INTERVAL_S), v.writeRateMiBps(), 1e-9);
        assertTrue(v.writeRateMiBps() > v.dirtyRateMiBps(), "a distinct rate undercounts the writes behind it");
        assertTrue(Double.isNaN(v.wse()));
        assertTrue(Double.isNaN(v.srcMemAvailMib()));

        double[] raw = RawFeature.emptyVector();
        v.fillVm(raw);
        assertEquals(1024, raw[RawFeature.VM_SIZE.ordinal()]);
        assertEquals(v.writeRateMiBps(), raw[RawFeature.PDR.ordinal()]);
        assertEquals(200.0, raw[RawFeature.WSS.ordinal()], 1e-9);
        assertEquals(800.0, raw[RawFeature.MWPP.ordinal()]);
        assertEquals(350.0, raw[RawFeature.SRC_CPU_AVAIL.ordinal()]);
        assertEquals(4.0, raw[RawFeature.VCPUS.ordinal()]);
    }

    @Test
    void anUnknownOrNonsenseVcpuCountIsAbsent() {
        for (Integer vcpus : new Integer[] {null, 0, -1}) {
            ProfileView v = ProfileView.fromAgent(1024, 0, 0, null, null, null, null, 40, null, null, null, vcpus);
            assertTrue(Double.isNaN(v.vcpus()), "vcpus " + vcpus);
        }
    }

    @Test
    void pagesAndMibConvertBothWays() {
        assertEquals(1.0, Units.mibOfPages(Units.PAGES_PER_MIB), 0.0);
        assertEquals(512.0, Units.pagesOfMib(2.0), 0.0);
        assertEquals(Pages.toMb(12_345), Units.mibOfPages(12_345), 0.0);
        assertEquals(2.0, Units.gibOfMib(2048), 0.0);
    }
}
