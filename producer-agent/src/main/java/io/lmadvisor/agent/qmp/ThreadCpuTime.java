package io.lmadvisor.agent.qmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/** CPU time of QEMU's vCPU threads from {@code /proc/TID/stat}, for when QMP's query-stats has none. */
final class ThreadCpuTime {
    /** /proc reports times in USER_HZ, which the kernel ABI fixes at 100. */
    static final double CLOCK_TICKS_PER_SEC = 100.0;

    private final Path procRoot;

    ThreadCpuTime(Path procRoot) {
        this.procRoot = procRoot;
    }

    /**
     * Total user+system seconds of the threads. Throws when a thread is missing or is not a QEMU
     * thread: QMP reports thread ids as QEMU sees them, which differ in another PID namespace.
     */
    double seconds(Collection<Long> tids) throws IOException {
        long ticks = 0;
        for (long tid : tids) {
            Path dir = procRoot.resolve(Long.toString(tid));
            String comm = Files.readString(dir.resolve("comm"), StandardCharsets.US_ASCII)
                    .strip();
            // QEMU names vCPU threads "CPU n/KVM" with -name debug-threads=on, else they keep the process name.
            if (!comm.startsWith("qemu") && !comm.startsWith("CPU ")) {
                throw new IOException("thread " + tid + " is '" + comm + "', not a QEMU thread"
                        + " (agent in another PID namespace than QEMU?)");
            }
            ticks += userPlusSystemTicks(Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII));
        }
        return ticks / CLOCK_TICKS_PER_SEC;
    }

    /** utime + stime (fields 14 and 15) of a stat line; the comm field may hold spaces and parentheses. */
    static long userPlusSystemTicks(String stat) throws IOException {
        int close = stat.lastIndexOf(')');
        String[] f =
                close < 0 ? new String[0] : stat.substring(close + 1).trim().split("\\s+");
        // After "(comm)", f[0] is field 3 (state), so utime is f[11] and stime f[12].
        if (f.length < 13) {
            throw new IOException("unreadable /proc stat line: " + stat.strip());
        }
        try {
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (NumberFormatException e) {
            throw new IOException("unreadable /proc stat line: " + stat.strip(), e);
        }
    }
}
