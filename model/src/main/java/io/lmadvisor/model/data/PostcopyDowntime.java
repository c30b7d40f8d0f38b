package io.lmadvisor.model.data;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's post-copy {@code downtime} sentinel. {@code postcopy_start} sets {@code downtime = now − downtime_start}
 * in milliseconds; when the stop took under 1 ms that is 0, and {@code migration_downtime_end} treats 0 as "not
 * set yet" and overwrites it at completion with {@code end − downtime_start}: the whole post-copy phase, while the
 * guest was running. The lab's post-copy runs show both: 1–2 ms, or {@code total-time} minus the ~100–400 ms
 * before the switch. Such a figure is the sub-millisecond stop QEMU measured as 0, so it is read as 0.
 */
public final class PostcopyDowntime {
    /**
     * A post-copy downtime above this share of the total time is the sentinel: a real post-copy stop sends only
     * device state, so it cannot span most of the migration.
     */
    public static final double SENTINEL_SHARE = 0.5;

    private PostcopyDowntime() {}

    /** Whether the record's downtime is QEMU's overwritten post-copy sentinel. */
    public static boolean isSentinel(MigrationRecord r) {
        return r.algorithm() == Algorithm.POSTCOPY
                && r.has(Target.DT)
                && r.has(Target.TT)
                && isSentinel(r.target(Target.DT), r.target(Target.TT));
    }

    /** Whether QEMU's {@code downtime} of a migration that switched to post-copy is the overwritten sentinel. */
    public static boolean isSentinel(double downtimeMs, double totalTimeMs) {
        return totalTimeMs > 0 && downtimeMs > SENTINEL_SHARE * totalTimeMs;
    }

    /** The records with every sentinel downtime read as the 0 ms QEMU measured; the others unchanged. */
    public static List<MigrationRecord> corrected(List<MigrationRecord> records) {
        List<MigrationRecord> out = new ArrayList<>(records.size());
        for (MigrationRecord r : records) {
            if (isSentinel(r)) {
                double[] t = r.targets().clone();
                t[Target.DT.ordinal()] = 0.0;
                out.add(new MigrationRecord(r.id(), r.lineNumber(), r.algorithm(), r.workload(), r.raw(), t));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    public static long count(List<MigrationRecord> records) {
        return records.stream().filter(PostcopyDowntime::isSentinel).count();
    }
}
