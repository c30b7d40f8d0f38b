package io.lmadvisor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void linkRatesAreDecimalAndMemoryIsBinary() {
        // 1 GbE carries 125 MB/s = 125,000,000 bytes/s = 119.2 MiB/s.
        assertEquals(125_000_000L, Units.bytesPerSecond(125.0));
        assertEquals(119.209, Units.mibPerSecond(125.0), 1e-3);
        assertEquals(125.0, Units.mbPerSecond(125_000_000.0), 1e-12);
        assertEquals(512L << 20, Units.bytesOfMib(512));
    }
}
