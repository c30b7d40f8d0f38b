package io.lmadvisor.agent.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What the agent did since it started, read by the status line, {@code /metrics} and
 * {@code /health}. Every sample taken ends up sent, spooled (and later sent), or dropped; nothing
 * leaves without being counted.
 */
public final class AgentCounters {
    /** Samples the source produced. */
    public final AtomicLong taken = new AtomicLong();
    /** Records the broker acknowledged (directly or from the spool). */
    public final AtomicLong sent = new AtomicLong();
    /** Records written to the spool because the broker was unreachable. */
    public final AtomicLong spooled = new AtomicLong();
    /** Records given up: spool full, not serializable, or unsendable. */
    public final AtomicLong dropped = new AtomicLong();
    /** VMs or hosts the source could not measure, and bad input lines of a replay. */
    public final AtomicLong problems = new AtomicLong();
    /** Failed send attempts (a record may fail several times before it is sent from the spool). */
    public final AtomicLong sendFailures = new AtomicLong();

    private final AtomicLong lastSendErrorMs = new AtomicLong(-1);
    private final AtomicReference<String> lastSendError = new AtomicReference<>();
    private volatile LongSupplier spoolRecords = () -> 0;
    private volatile LongSupplier spoolBytes = () -> 0;
    private volatile boolean spooling;
    private volatile boolean registryUnreachable;
    private volatile String fatal;

    public void sendFailed(String message, long nowMs) {
        sendFailures.incrementAndGet();
        lastSendError.set(message);
        lastSendErrorMs.set(nowMs);
    }

    /** Seconds since the last failed send, or -1 if none failed. */
    public double lastSendErrorAgeSeconds(long nowMs) {
        long at = lastSendErrorMs.get();
        return at < 0 ? -1 : (nowMs - at) / 1000.0;
    }

    public String lastSendError() {
        return lastSendError.get();
    }

    public void spool(LongSupplier records, LongSupplier bytes) {
        this.spoolRecords = records;
        this.spoolBytes = bytes;
    }

    public long spoolRecords() {
        return spoolRecords.getAsLong();
    }

    public long spoolBytes() {
        return spoolBytes.getAsLong();
    }

    /** True while new records go to the spool instead of the broker. */
    public boolean spooling() {
        return spooling;
    }

    public void spooling(boolean on) {
        spooling = on;
    }

    /** True while records wait for schema ids the registry cannot give now. */
    public boolean registryUnreachable() {
        return registryUnreachable;
    }

    public void registryUnreachable(boolean on) {
        registryUnreachable = on;
    }

    /** Publishing stopped for good (e.g. the spool disk failed); /health then answers 503. */
    public void fatal(String why) {
        fatal = why;
    }

    /** Why publishing stopped, or null while it works. */
    public String fatal() {
        return fatal;
    }

    /** One line for logs: {@code taken 120, sent 100, spooled 20 (spool 20 records, 4 KiB), dropped 0, problems 0}. */
    public String summary() {
        return String.format(
                "taken %d, sent %d, spooled %d (spool now %d records, %d bytes), dropped %d, problems %d,"
                        + " send failures %d%s",
                taken.get(),
                sent.get(),
                spooled.get(),
                spoolRecords(),
                spoolBytes(),
                dropped.get(),
                problems.get(),
                sendFailures.get(),
                fatal != null
                        ? " [NOT PUBLISHING: " + fatal + "]"
                        : spooling && registryUnreachable
                                ? " [schema registry unreachable: spooling]"
                                : spooling ? " [broker unreachable: spooling]" : "");
    }
}
