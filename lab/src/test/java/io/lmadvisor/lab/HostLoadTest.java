package io.lmadvisor.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostLoadTest {
    @Test
    void readsTheOneMinuteLoad() {
        assertEquals(1.25, HostLoad.parseLoad1("1.25 0.80 0.40 2/345 6789\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostLoad.parseLoad1("x"));
        assertTrue(e.getMessage().contains("/proc/loadavg"), e.getMessage());
    }

    @Test
    void waitsUntilQuietWithAStatusLinePerCheck() throws Exception {
        Iterator<Double> loads = List.of(3.0, 2.0, 0.5).iterator();
        List<Duration> slept = new ArrayList<>();
        List<String> status = new ArrayList<>();
        double l = HostLoad.awaitQuiet(
                1.0, Duration.ofMinutes(5), Duration.ofSeconds(10), loads::next, slept::add, status::add);
        assertEquals(0.5, l);
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(10)), slept);
        assertEquals(3, status.size());
        assertTrue(status.get(0).contains("1-min load 3.00 above 1.00"), status.get(0));
        assertEquals("host: 1-min load 0.50", status.get(2));
    }

    @Test
    void goesAheadAfterTheBoundedWaitAndSaysSo() throws Exception {
        List<Duration> slept = new ArrayList<>();
        List<String> status = new ArrayList<>();
        double l = HostLoad.awaitQuiet(
                1.0, Duration.ofSeconds(30), Duration.ofSeconds(10), () -> 9.0, slept::add, status::add);
        assertEquals(9.0, l);
        assertEquals(3, slept.size(), "30 s in 10 s steps, then no more");
        assertTrue(
                status.get(status.size() - 1).contains("still above 1.00 after 30 s: going ahead"),
                status.get(status.size() - 1));
    }
}
