package io.lmadvisor.agent.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts dropped records and says so in the log: the first drop at once, then at most every 10 s. */
public final class DropLog {
    private static final Logger LOG = LoggerFactory.getLogger(DropLog.class);
    private static final long LOG_EVERY_MS = 10_000;

    private final AgentCounters counters;
    private long lastLogMs = -LOG_EVERY_MS;
    private long sinceLog;

    public DropLog(AgentCounters counters) {
        this.counters = counters;
    }

    public synchronized void drop(long count, String why) {
        counters.dropped.addAndGet(count);
        sinceLog += count;
        long now = System.currentTimeMillis();
        if (now - lastLogMs >= LOG_EVERY_MS) {
            LOG.warn("Dropped {} record(s): {} (dropped in total: {})", sinceLog, why, counters.dropped.get());
            lastLogMs = now;
            sinceLog = 0;
        }
    }
}
