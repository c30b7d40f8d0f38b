package io.lmadvisor.agent.replay;

import io.lmadvisor.agent.FiniteSource;
import io.lmadvisor.agent.SampleSink;
import io.lmadvisor.avro.DirtyRateMethod;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The {@code replay} source: republishes recorded samples with their original event time.
 *
 * <p>Pacing: at speed {@code s}, the tick at wall time {@code t} emits every record whose event
 * time is at most {@code first + (t - start) * s}, so {@code --speed 1} reproduces the recording's
 * rhythm and {@code --speed 10} plays ten recorded seconds per second. {@code --speed max} ignores
 * time and emits {@value #MAX_SPEED_RECORDS_PER_TICK} records per tick, ticks back to back (the
 * agent runs it with a tick of 0 ms). Records keep their input order; an out-of-order record goes
 * out as soon as its time has passed.
 *
 * <p>{@code --shift-to-now} moves every timestamp by one constant, keeping the spacing: at speed 1
 * the first record lands at the replay start (it looks live); at any other speed the newest record
 * lands at the replay start, so no timestamp is in the future (the broker rejects timestamps more
 * than an hour ahead).
 */
public final class ReplaySource implements FiniteSource {
    static final int MAX_SPEED_RECORDS_PER_TICK = 1000;

    private final ReplayInput input;
    private final double speed;
    private final boolean shiftToNow;
    private Recorded next;
    private boolean started;
    private boolean exhausted;
    private long firstTimestampMs;
    private long startMs;
    private long shiftMs;

    ReplaySource(ReplayInput input, double speed, boolean shiftToNow) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive: " + speed);
        }
        this.input = input;
        this.speed = speed;
        this.shiftToNow = shiftToNow;
    }

    /** Replays a JSON-lines file (as printed by {@code --dry-run}). */
    public static ReplaySource fromFile(Path file, double speed, boolean shiftToNow) {
        return new ReplaySource(new FileReplayInput(file), speed, shiftToNow);
    }

    /** Replays a time range of a topic; see {@link TopicReplayInput}. */
    public static ReplaySource fromTopic(
            Map<String, Object> consumerConfig,
            String topic,
            Instant from,
            Instant to,
            double speed,
            boolean shiftToNow) {
        return new ReplaySource(new TopicReplayInput(consumerConfig, topic, from, to), speed, shiftToNow);
    }

    /** Replays a time range of a topic of the cluster at {@code bootstrapServers}, decoded through its registry. */
    public static ReplaySource fromTopic(
            String bootstrapServers,
            String schemaRegistryUrl,
            String topic,
            Instant from,
            Instant to,
            double speed,
            boolean shiftToNow) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        cfg.put(ConsumerConfig.CLIENT_ID_CONFIG, "lm-agent-replay");
        cfg.put("schema.registry.url", schemaRegistryUrl);
        return fromTopic(cfg, topic, from, to, speed, shiftToNow);
    }

    /** {@code max} or a positive number ({@code 1}, {@code 10}, {@code 0.5}). */
    public static double parseSpeed(String text) {
        if (text.trim().toLowerCase(Locale.ROOT).equals("max")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double s = Double.parseDouble(text.trim());
            if (s > 0 && Double.isFinite(s)) {
                return s;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--speed must be a positive number or 'max': " + text);
    }

    /** True for {@code --speed max}: the agent should tick without waiting. */
    public boolean unpaced() {
        return Double.isInfinite(speed);
    }

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public void sample(Instant at, SampleSink sink) {
        if (exhausted) {
            return;
        }
        if (!started) {
            start(at, sink);
            if (exhausted) {
                return;
            }
        }
        long cursorMs = unpaced() ? Long.MAX_VALUE : firstTimestampMs + (long) ((at.toEpochMilli() - startMs) * speed);
        int emitted = 0;
        while (next != null && next.timestampMs() <= cursorMs && (!unpaced() || emitted < MAX_SPEED_RECORDS_PER_TICK)) {
            emit(next, sink);
            emitted++;
            advance(sink);
        }
        exhausted = next == null;
    }

    @Override
    public boolean exhausted() {
        return exhausted;
    }

    @Override
    public void close() {
        input.close();
    }

    private void start(Instant at, SampleSink sink) {
        started = true;
        startMs = at.toEpochMilli();
        advance(sink);
        if (next == null) {
            exhausted = true;
            return;
        }
        firstTimestampMs = next.timestampMs();
        if (shiftToNow) {
            shiftMs = startMs - (speed == 1.0 ? firstTimestampMs : input.lastTimestampMs());
        }
    }

    /** Moves to the next readable record; unreadable ones are reported and skipped. */
    private void advance(SampleSink sink) {
        Recorded r;
        while ((r = input.next()) != null && r.problem() != null) {
            sink.problem(input.describe(), r.problem());
        }
        next = r;
    }

    private void emit(Recorded r, SampleSink sink) {
        if (r.value() instanceof VmSample v) {
            // A recording keeps the method it was measured with; one that does not say is marked REPLAY.
            if (shiftMs == 0 && v.getDirtyRateMethod() != null) {
                sink.vm(v);
            } else {
                VmSample.Builder b =
                        VmSample.newBuilder(v).setTimestamp(Instant.ofEpochMilli(r.timestampMs() + shiftMs));
                sink.vm(
                        v.getDirtyRateMethod() != null
                                ? b.build()
                                : b.setDirtyRateMethod(DirtyRateMethod.REPLAY).build());
            }
        } else if (r.value() instanceof HostSample h) {
            sink.host(
                    shiftMs == 0
                            ? h
                            : HostSample.newBuilder(h)
                                    .setTimestamp(Instant.ofEpochMilli(r.timestampMs() + shiftMs))
                                    .build());
        }
    }
}
