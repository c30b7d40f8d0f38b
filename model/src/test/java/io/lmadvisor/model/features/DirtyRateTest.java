package io.lmadvisor.model.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.model.analytic.GeometricPrecopy;
import org.junit.jupiter.api.Test;

class DirtyRateTest {
    @Test
    void convertsBothWaysBelowSaturation() {
        double m = DirtyRate.distinctRate(40, 200, 1.0);
        assertTrue(m < 40 && m > 30, "measured " + m);
        assertEquals(40, DirtyRate.writeRate(m, 200, 1.0), 1e-9);
        // A large working set hardly saturates within a second: the two rates nearly agree.
        assertEquals(10, DirtyRate.writeRate(DirtyRate.distinctRate(10, 4000, 1.0), 4000, 1.0), 1e-9);
        assertEquals(DirtyRate.distinctRate(10, 4000, 1.0), 10, 0.02);
    }

    @Test
    void unknownWorkingSetLeavesTheRateAlone() {
        assertEquals(25, DirtyRate.writeRate(25, Double.NaN, 1.0));
        assertEquals(0, DirtyRate.writeRate(0, 100, 1.0));
    }

    @Test
    void aSaturatedMeasurementMeansAFastWriterNotTheCeiling() {
        // A 64 MB hot set written at 400 MB/s: the agent sees ~64 MB/s, at the ceiling.
        double measured = DirtyRate.distinctRate(400, 64, 1.0);
        assertEquals(64, measured, 0.2);
        double write = DirtyRate.writeRate(measured, 64, 1.0);
        assertEquals(4.6 * 64, write, 1.0);
        // Taken as a write rate, the measured figure lets pre-copy converge at 125 MB/s; the write rate does not
        // (the analytic model caps the dirty set at W, so only the per-round rate matters).
        assertTrue(GeometricPrecopy.estimate(1024, measured, 125, 64).converged);
        assertFalse(GeometricPrecopy.estimate(1024, write, 125, 64).converged);
    }
}
