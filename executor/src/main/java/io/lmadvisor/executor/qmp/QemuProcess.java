package io.lmadvisor.executor.qmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of the source QEMU process from {@code /proc}. QMP does not give
 * QEMU's pid, but {@code query-cpus-fast} gives vCPU thread ids, and a thread's {@code Tgid} is its
 * process: so the executor needs no pid in the inventory.
 */
final class QemuProcess {
    /** /proc reports CPU times in USER_HZ, which the kernel ABI fixes at 100. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Path dir;

    private QemuProcess(Path dir) {
        this.dir = dir;
    }

    /** The process of thread {@code tid}, or an IOException saying why it cannot be read. */
    static QemuProcess ofThread(Path procRoot, long tid) throws IOException {
        Path status = procRoot.resolve(Long.toString(tid)).resolve("status");
        if (!Files.isReadable(status)) {
            throw new IOException(status + " is not readable (QEMU on another host, or in another PID namespace?)");
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("Tgid:")) {
                return new QemuProcess(procRoot.resolve(line.substring(5).trim()));
            }
        }
        throw new IOException(status + " has no Tgid line");
    }

    /** User plus system CPU time of the whole process, seconds. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(dir.resolve("stat"));
        // The command name may contain spaces and parentheses: fields start after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** Resident set size, MiB. */
    double rssMib() throws IOException {
        for (String line : Files.readAllLines(dir.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").trim()) / 1024.0;
            }
        }
        throw new IOException(dir.resolve("status") + " has no VmRSS line");
    }
}
