package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void kernelArgsCarryEveryParameter() {
        Workload w = new Workload("w", 1024, 512, 64, Workload.MAX_RATE, 64, "0.25", 20, 119, 50, 7);
        assertEquals(
                "lmw.buf_mib=512 lmw.wss_mib=64 lmw.dirty_pps=max lmw.bytes_per_page=64 lmw.entropy=0.25"
                        + " lmw.cpu_per_page=20 lmw.seed=7",
                w.kernelArgs());
        assertTrue(Double.isNaN(w.dirtyMiBps()));
        assertEquals(32.0, new Workload("w", 512, 256, 256, 8192, 4096, "low", 0, 32, 300, 1).dirtyMiBps());
    }

    @Test
    void refusesImpossibleWorkloads() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new Workload("w", 512, 400, 16, 0, 4096, "random", 0, 32, 300, 1),
                "no room for the guest kernel");
        assertThrows(
                IllegalArgumentException.class, () -> new Workload("w", 512, 64, 65, 0, 4096, "random", 0, 32, 300, 1));
        assertThrows(
                IllegalArgumentException.class, () -> new Workload("w", 512, 64, 16, 0, 32, "random", 0, 32, 300, 1));
        assertThrows(
                IllegalArgumentException.class, () -> new Workload("w", 512, 64, 16, 0, 4096, "high", 0, 32, 300, 1));
        assertThrows(
                IllegalArgumentException.class, () -> new Workload("w", 512, 64, 16, 0, 4096, "1.5", 0, 32, 300, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Workload("w", 512, 64, 16, -5, 4096, "random", 0, 32, 300, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Workload("a b", 512, 64, 16, 0, 4096, "random", 0, 32, 300, 1));
    }

    @Test
    void entropyFractionsMatchTheWorkloadProgram() {
        assertEquals(1.0, Workload.randomFraction("random"));
        assertEquals(0.02, Workload.randomFraction("low"));
        assertEquals(0.5, Workload.randomFraction("0.5"));
        assertEquals(-1, Workload.randomFraction("x"));
    }
}
