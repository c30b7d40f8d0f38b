package io.lmadvisor.agent;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.publish.SampleOutput;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's loop: asks the source for samples once per tick, at whole seconds of the wall
 * clock (so samples of all hosts line up), and passes them to the output. Stops after
 * {@code duration}, when a {@link FiniteSource} is exhausted, or on {@link #stop()}; a status
 * line goes out every {@code statusEvery}. A source that throws is counted as a problem and
 * asked again next tick: the loop never dies on bad data.
 */
public final class AgentRunner implements SampleSink {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);

    private final SampleSource source;
    private final SampleOutput output;
    private final AgentCounters counters;
    private final Settings settings;
    private final Consumer<String> status;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Map<String, Long> lastProblemLogMs = new HashMap<>();

    /**
     * @param tickMs 1000 normally; 0 runs ticks back to back (a replay at {@code --speed max})
     * @param duration null runs until stopped
     */
    public record Settings(long tickMs, Duration duration, Duration statusEvery) {
        public Settings {
            if (tickMs < 0) {
                throw new IllegalArgumentException("tickMs must be >= 0: " + tickMs);
            }
            if (statusEvery.isNegative() || statusEvery.isZero()) {
                throw new IllegalArgumentException("status interval must be positive: " + statusEvery);
            }
        }
    }

    public AgentRunner(
            SampleSource source,
            SampleOutput output,
            AgentCounters counters,
            Settings settings,
            Consumer<String> status) {
        this.source = source;
        this.output = output;
        this.counters = counters;
        this.settings = settings;
        this.status = status;
    }

    /** Runs until the duration ends, the source is exhausted or {@link #stop()}; does not close the output. */
    public void run() throws InterruptedException {
        long startMs = System.currentTimeMillis();
        long deadlineMs = settings.duration() == null
                ? Long.MAX_VALUE
                : startMs + settings.duration().toMillis();
        long statusMs = settings.statusEvery().toMillis();
        long nextStatusMs = startMs + statusMs;
        long tickMs = settings.tickMs();
        // First tick at the next whole second.
        long nextTickMs = tickMs == 0 ? startMs : (startMs / 1000 + 1) * 1000;
        long skippedTicks = 0;
        while (stop.getCount() > 0) {
            long now = System.currentTimeMillis();
            if (tickMs > 0 && nextTickMs > now) {
                if (stop.await(Math.min(nextTickMs, deadlineMs) - now, TimeUnit.MILLISECONDS)) {
                    break;
                }
                now = System.currentTimeMillis();
            }
            if (now >= deadlineMs) {
                break;
            }
            tick(Instant.ofEpochMilli(tickMs == 0 ? now : nextTickMs));
            if (source instanceof FiniteSource f && f.exhausted()) {
                break;
            }
            if (tickMs > 0) {
                nextTickMs += tickMs;
                long late = System.currentTimeMillis() - nextTickMs;
                if (late >= tickMs) {
                    // Fell behind (slow source, long GC): skip the missed ticks rather than burst.
                    long missed = late / tickMs;
                    skippedTicks += missed;
                    nextTickMs += missed * tickMs;
                    LOG.warn("Tick took too long; skipped {} tick(s) ({} in total)", missed, skippedTicks);
                }
            }
            if (System.currentTimeMillis() >= nextStatusMs) {
                status.accept(counters.summary());
                nextStatusMs += statusMs * Math.max(1, (System.currentTimeMillis() - nextStatusMs) / statusMs + 1);
            }
        }
    }

    /** Ends {@link #run()} after the current tick; callable from any thread (e.g. a shutdown hook). */
    public void stop() {
        stop.countDown();
    }

    private void tick(Instant at) {
        try {
            source.sample(at, this);
        } catch (RuntimeException e) {
            problem(source.name(), "sampling failed: " + e);
        }
        output.endTick();
    }

    @Override
    public void vm(VmSample sample) {
        counters.taken.incrementAndGet();
        output.vm(sample);
    }

    @Override
    public void host(HostSample sample) {
        counters.taken.incrementAndGet();
        output.host(sample);
    }

    @Override
    public void problem(String subject, String reason) {
        counters.problems.incrementAndGet();
        long now = System.currentTimeMillis();
        Long last = lastProblemLogMs.get(subject);
        // Once a minute per subject: an unreadable VM must not flood the log every second.
        if (last == null || now - last >= 60_000) {
            lastProblemLogMs.put(subject, now);
            LOG.warn("Cannot measure {}: {}", subject, reason);
        }
    }
}
