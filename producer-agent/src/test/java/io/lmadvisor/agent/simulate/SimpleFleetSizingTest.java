package io.lmadvisor.agent.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A fleet as a user would ask for it (50 VMs on 8 hosts) leaves room on every host for a migration. */
class SimpleFleetSizingTest {
    private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void sparseFleetsKeepTheCsapHosts() {
        assertEquals(4, SimpleFleet.configFor(6, 12).hostCores());
        assertEquals(16384, SimpleFleet.configFor(6, 12).hostMemMb());
    }

    @Test
    void aDenseFleetHasRoomOnEveryHostForItsLargestVm() {
        SimpleFleet fleet = new SimpleFleet(8, 50, 42);
        assertEquals(16, SimpleFleet.configFor(8, 50).hostCores());
        double maxVmCpu = 0;
        double maxVmMb = 0;
        int hostSeconds = 0;
        int roomy = 0;
        for (int s = 0; s < 120; s++) {
            Instant at = START.plusSeconds(s);
            for (VmSample v : fleet.vmSamples(at)) {
                maxVmCpu = Math.max(maxVmCpu, v.getCpuUtilPercent());
                maxVmMb = Math.max(maxVmMb, v.getVmSizeMb());
            }
            for (HostSample h : fleet.hostSamples(at)) {
                hostSeconds++;
                if (h.getCpuAvailPercent() >= 200 && h.getMemAvailMb() >= 4096) {
                    roomy++;
                }
            }
        }
        assertTrue(
                maxVmCpu <= 200 && maxVmMb <= 4096, "VMs are at most 2 vCPUs and 4 GB: " + maxVmCpu + ", " + maxVmMb);
        assertEquals(hostSeconds, roomy, "every host, every second, can take any one VM");
    }
}
