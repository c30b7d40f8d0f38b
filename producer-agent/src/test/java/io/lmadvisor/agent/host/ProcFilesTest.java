package io.lmadvisor.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcFilesTest {
    @Test
    void cpuLineCountsIdlePlusIowaitAndCores() {
        ProcFiles.CpuTimes t = ProcFiles.cpuTimes("cpu  100 5 50 800 40 1 2 3 70 0\ncpu0 50 2 25 400 20 0 1 1 35 0\n"
                + "cpu1 50 3 25 400 20 1 1 2 35 0\nintr 12345\n");
        assertEquals(840, t.idleTicks());
        assertEquals(1001, t.totalTicks()); // guest (70) is already inside user
        assertEquals(2, t.cores());
        assertThrows(IllegalArgumentException.class, () -> ProcFiles.cpuTimes("intr 1\n"));
    }

    @Test
    void meminfoAndNetDev() {
        assertEquals(
                24_000_000L,
                ProcFiles.meminfoKb("MemTotal:       24000000 kB\nMemAvailable:   1000 kB\nbad\n")
                        .get("MemTotal"));
        var dev = ProcFiles.netDev("Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n"
                + "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\ntap-x:5 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n");
        assertEquals(new ProcFiles.NetBytes(1000, 2000), dev.get("eth0"));
        assertEquals(new ProcFiles.NetBytes(5, 7), dev.get("tap-x"));
    }

    @Test
    void defaultRoutePrefersLowestMetric() {
        String route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                + "wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
                + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                + "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
        assertEquals(Optional.of("eth0"), ProcFiles.defaultRouteInterface(route));
        assertEquals(Optional.empty(), ProcFiles.defaultRouteInterface("Iface\tDestination\n"));
    }

    @Test
    void processStatWithSpacesAndParensInComm() {
        String stat = "4242 (qemu (vm) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 5 0 987654 1000 50";
        ProcFiles.ProcessTimes t = ProcFiles.processTimes(stat);
        assertEquals(1500, t.utimeTicks());
        assertEquals(250, t.stimeTicks());
        assertEquals(987654, t.startTimeTicks());
    }
}
