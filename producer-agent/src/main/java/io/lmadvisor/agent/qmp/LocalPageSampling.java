package io.lmadvisor.agent.qmp;

import io.lmadvisor.agent.procfs.QemuProcess;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of one qmp-measured VM: when its QEMU process is on this host, the procfs source's page
 * sampling of it ({@link QemuProcess}), read on the agent's tick. When the process is not local or not
 * readable (no root or ptrace permission), {@link #read} returns null and the reason is logged once per
 * change; it is tried again every {@value #RETRY_TICKS} ticks, as the procfs source rediscovers.
 */
final class LocalPageSampling implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPageSampling.class);
    static final int RETRY_TICKS = 10;

    private final QemuProcess.Settings settings;
    private QemuProcess process;
    private Integer failedPid;
    private String lastReason;
    private long retryAtTick;
    private long tick;
    private boolean priming;

    LocalPageSampling(QemuProcess.Settings settings) {
        this.settings = settings;
    }

    /**
     * This tick's reading of the VM's QEMU process {@code pid} (null: not local), or null when there is
     * none: not local, not readable, or the first tick of a process (which only primes the page copies).
     */
    QemuProcess.Reading read(String vmId, Integer pid, String notLocal, Instant at) {
        tick++;
        priming = false;
        if (pid == null) {
            drop(notLocal);
            return null;
        }
        if (process != null && process.pid() != pid) {
            drop("QEMU restarted as pid " + pid);
        }
        if (process == null) {
            if (pid.equals(failedPid) && tick < retryAtTick) {
                return null;
            }
            try {
                process = new QemuProcess(settings, pid, vmId, QemuProcess.commandLine(settings.procRoot(), pid));
                failedPid = null;
                note("qmp: VM " + vmId + ": page sampling of local QEMU pid " + pid + " (" + process.describe() + ")");
            } catch (IOException | RuntimeException e) {
                fail(vmId, pid, e);
                return null;
            }
        }
        try {
            QemuProcess.Reading r = process.read(at);
            priming = r == null;
            return r;
        } catch (IOException | RuntimeException e) {
            fail(vmId, pid, e);
            return null;
        }
    }

    /** The last {@link #read} returned null only because a readable local process was being primed. */
    boolean priming() {
        return priming;
    }

    private void fail(String vmId, int pid, Exception e) {
        drop(null);
        failedPid = pid;
        retryAtTick = tick + RETRY_TICKS;
        note("qmp: VM " + vmId + ": cannot sample pages of QEMU pid " + pid + " (" + e.getMessage() + "); QMP"
                + " alone measures it (vmSizeMb = configured RAM; WSS, entropies and MWPP absent)");
    }

    private void drop(String reason) {
        if (process != null) {
            process.close();
            process = null;
        }
        if (reason != null) {
            note("qmp: " + reason + "; QMP alone measures this VM");
        }
    }

    /** Logs a state change once, not every tick. */
    private void note(String message) {
        if (!message.equals(lastReason)) {
            lastReason = message;
            LOG.info(message);
        }
    }

    @Override
    public void close() {
        drop(null);
    }
}
