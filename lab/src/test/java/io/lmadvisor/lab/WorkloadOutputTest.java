package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadOutputTest {
    @Test
    void parsesRateLines() {
        assertEquals(
                Optional.of(new WorkloadOutput.Rate(12, 2000, 150, 0, true)),
                WorkloadOutput.rate("LMW t=12 pages=2000 ops=150 bad=0 ok=1"));
        assertEquals(
                Optional.of(new WorkloadOutput.Rate(3, 7, 0, 4, false)),
                WorkloadOutput.rate("LMW t=3 pages=7 ops=0 bad=4 ok=0\r"),
                "CR from the serial line");
    }

    @Test
    void findsARateLineAfterKernelNoiseOnTheSameLine() {
        assertEquals(
                1999,
                WorkloadOutput.rate("[   12.3] clocksource: x LMW t=9 pages=1999 ops=0 bad=0 ok=1")
                        .orElseThrow()
                        .pages());
    }

    @Test
    void ignoresOtherAndGarbledLines() {
        assertTrue(WorkloadOutput.rate("LMW ready buf_mib=64 wss_mib=16").isEmpty());
        assertTrue(WorkloadOutput.rate("LMW verify pages=1 bad=0 ms=1 ok=1").isEmpty());
        assertTrue(WorkloadOutput.rate("LMW t=12 pages=20").isEmpty(), "cut off");
        assertTrue(WorkloadOutput.rate("LMW t=12 pages=2x00 ops=0 bad=0 ok=1").isEmpty());
        assertTrue(WorkloadOutput.rate("Run /init as init process").isEmpty());
    }

    @Test
    void parsesVerificationReadyAndError() {
        assertEquals(
                Optional.of(new WorkloadOutput.Verification(16384, 3, 42, false)),
                WorkloadOutput.verification("LMW verify pages=16384 bad=3 ms=42 ok=0"));
        assertTrue(WorkloadOutput.isReady("LMW ready buf_mib=64 wss_mib=16 dirty_pps=2000"));
        assertFalse(WorkloadOutput.isReady("LMW t=1 pages=0 ops=0 bad=0 ok=1"));
        assertEquals(
                Optional.of("cannot allocate 4096 MiB: Cannot allocate memory"),
                WorkloadOutput.error("LMW error cannot allocate 4096 MiB: Cannot allocate memory"));
    }

    @Test
    void meansOverALog() {
        List<WorkloadOutput.Rate> r = WorkloadOutput.rates("""
        LMW ready buf_mib=64
        LMW t=1 pages=100 ops=10 bad=0 ok=1
        kernel noise
        LMW t=2 pages=300 ops=30 bad=0 ok=1
        """);
        assertEquals(2, r.size());
        assertEquals(200.0, WorkloadOutput.meanPagesPerSec(r));
        assertEquals(20.0, WorkloadOutput.meanOpsPerSec(r));
        assertTrue(Double.isNaN(WorkloadOutput.meanPagesPerSec(List.of())));
    }
}
