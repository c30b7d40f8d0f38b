package io.lmadvisor.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.Workload;
import io.lmadvisor.model.features.RawFeature;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lab's post-copy figures: QEMU's 1 ms stops stay; its overwritten 0 ms sentinel is read as 0. */
class PostcopyDowntimeTest {
    static MigrationRecord run(Algorithm a, double ttMs, double dtMs) {
        double[] t = MigrationRecord.emptyTargets();
        t[Target.TT.ordinal()] = ttMs;
        t[Target.DT.ordinal()] = dtMs;
        return new MigrationRecord("r", 0, a, Workload.SYNTHETIC, RawFeature.emptyVector(), t);
    }

    @Test
    void theWholePostcopyPhaseReportedAsDowntimeIsReadAsZero() {
        // ram2g-hot-2k: total 50,044 ms, "downtime" 49,644 ms = total minus the 400 ms before the switch.
        MigrationRecord sentinel = run(Algorithm.POSTCOPY, 50_044, 49_644);
        MigrationRecord stop = run(Algorithm.POSTCOPY, 10_313, 1);
        MigrationRecord precopy = run(Algorithm.PRECOPY, 400, 300);
        List<MigrationRecord> out = PostcopyDowntime.corrected(List.of(sentinel, stop, precopy));
        assertEquals(0.0, out.get(0).target(Target.DT));
        assertEquals(50_044, out.get(0).target(Target.TT));
        assertSame(stop, out.get(1));
        assertSame(precopy, out.get(2), "only post-copy has the sentinel");
        assertEquals(1, PostcopyDowntime.count(List.of(sentinel, stop, precopy)));
    }
}
