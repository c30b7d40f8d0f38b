package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.model.Units;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.WithStores;
import io.lmadvisor.streams.deadletter.InputChecks;
import io.lmadvisor.streams.deadletter.InvalidRecordException;
import io.lmadvisor.streams.deadletter.RecordValidator;
import io.lmadvisor.streams.state.WriteBackStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Tumbling event-time windows per VM that close even when input stops. A window closes when stream
 * time passes its end plus grace, or, for a VM that went quiet, when the wall clock does and no sample
 * has arrived for a grace period: a wall-clock punctuator checks every second. Each window yields
 * exactly one final {@link VmProfile}. A sample no open window can take (its window closed, or
 * past its grace by stream time) is counted as late and dead-lettered; so are tombstones, samples
 * keyed by anything but their vmId, and event times the {@link VmSampleTimestampExtractor} refused.
 */
public final class ProfileWindowProcessor implements Processor<String, VmSample, String, VmProfile> {
    static final Duration PUNCTUATE_EVERY = Duration.ofSeconds(1);

    private final long windowMs;
    private final long graceMs;
    private final AdvisorMetrics metrics;
    private final boolean wallClockClose;
    private final RecordValidator validator;
    private final VmSampleAggregator aggregator = new VmSampleAggregator();

    private ProcessorContext<String, VmProfile> context;
    private KeyValueStore<String, VmWindowState> windows;
    private KeyValueStore<String, HostSample> hosts;
    /** When this task became active here: a VM restored from another instance is not quiet before its backlog arrives. */
    private long activeSinceWallMs;
    /**
     * Per VM with an open window: when the earliest may close and its last sample's wall-clock time, so that the
     * punctuator reads only the VMs it will close instead of decoding every VM's state each second. Kept on the
     * heap, rebuilt from the store at the first punctuation after init (a restored or taken-over task).
     */
    private final Map<String, Due> due = new HashMap<>();

    private boolean dueIndexed;

    private static final class Due {
        long closeAtMs;
        long lastSampleWallMs;
    }

    /**
     * @param wallClockClose also close the windows of a VM quiet for the grace period, by wall-clock time
     * @param validator      judges event times, as the timestamp extractor did
     */
    ProfileWindowProcessor(
            Duration window,
            Duration grace,
            AdvisorMetrics metrics,
            boolean wallClockClose,
            RecordValidator validator) {
        this.wallClockClose = wallClockClose;
        this.validator = validator;
        this.windowMs = window.toMillis();
        this.graceMs = grace.toMillis();
        this.metrics = metrics;
    }

    /**
     * The processor with its store of open windows. It also reads the global host store, for the profile's
     * source headroom.
     */
    public static ProcessorSupplier<String, VmSample, String, VmProfile> supplier(
            Duration window,
            Duration grace,
            AdvisorMetrics metrics,
            boolean wallClockClose,
            RecordValidator validator) {
        // Written back at commit: a VM's state changes every second, and only its last value per commit need be
        // serialized and reach the changelog.
        StoreBuilder<KeyValueStore<String, VmWindowState>> store = WriteBackStore.builder(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdvisorTopology.WINDOW_STORE), Serdes.String(), VmWindowState.serde()));
        return WithStores.supplier(
                () -> new ProfileWindowProcessor(window, grace, metrics, wallClockClose, validator), store);
    }

    @Override
    public void init(ProcessorContext<String, VmProfile> context) {
        this.context = context;
        this.windows = context.getStateStore(AdvisorTopology.WINDOW_STORE);
        this.hosts = context.getStateStore(AdvisorTopology.HOST_STORE);
        this.activeSinceWallMs = context.currentSystemTimeMs();
        due.clear();
        dueIndexed = false;
        if (wallClockClose) {
            context.schedule(PUNCTUATE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::closeDueWindows);
        }
    }

    @Override
    public void process(Record<String, VmSample> record) {
        VmSample sample = InputChecks.requireValue(record.value());
        InputChecks.requireKeyMatches(record.key(), sample.getVmId(), "vmId");
        String vmId = record.key();
        long ts = sample.getTimestamp().toEpochMilli();
        String badTime = validator.timestampProblem(ts);
        if (badTime != null) {
            // The extractor kept this time away from stream time; only the dead letter is left to write.
            throw new InvalidRecordException(badTime);
        }
        long start = ts - Math.floorMod(ts, windowMs);
        VmWindowState state = windows.get(vmId);
        boolean known = state != null;
        if (state == null) {
            state = new VmWindowState();
        }
        metrics.samples.increment();
        long wallNow = context.currentSystemTimeMs();
        long streamTime = context.currentStreamTimeMs();
        state.lastSampleWallMs = wallNow;
        if (start + windowMs <= state.closedUpToMs
                || (!state.open.containsKey(start) && start + windowMs + graceMs <= streamTime)) {
            metrics.lateSamples.increment();
            if (known) {
                state.lateSinceLastProfile++;
                windows.put(vmId, state);
                track(vmId, state);
            }
            throw new InvalidRecordException("timestamp " + sample.getTimestamp() + " is too old: its window ["
                    + Instant.ofEpochMilli(start) + ", +" + windowMs / 1000 + " s) has closed (stream time "
                    + Instant.ofEpochMilli(streamTime) + ")");
        }
        aggregator.apply(vmId, sample, state.open.computeIfAbsent(start, s -> new ProfileAccumulator()));
        closeDue(vmId, state, Math.max(streamTime, ts), wallNow);
        windows.put(vmId, state);
        track(vmId, state);
    }

    private void track(String vmId, VmWindowState state) {
        if (!wallClockClose) {
            return;
        }
        if (state.open.isEmpty()) {
            due.remove(vmId);
            return;
        }
        Due d = due.computeIfAbsent(vmId, k -> new Due());
        d.closeAtMs = state.open.firstKey() + windowMs + graceMs;
        d.lastSampleWallMs = state.lastSampleWallMs;
    }

    private void closeDueWindows(long wallNow) {
        long streamTime = context.currentStreamTimeMs();
        if (!dueIndexed) {
            due.clear();
            try (KeyValueIterator<String, VmWindowState> it = windows.all()) {
                while (it.hasNext()) {
                    KeyValue<String, VmWindowState> kv = it.next();
                    track(kv.key, kv.value);
                }
            }
            dueIndexed = true;
        }
        // The same test as closeDue's for the earliest window; in store (key) order, as a scan of the store gave.
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, Due> e : due.entrySet()) {
            Due d = e.getValue();
            boolean quiet = wallNow - Math.max(d.lastSampleWallMs, activeSinceWallMs) >= graceMs;
            if (streamTime >= d.closeAtMs || quiet && wallNow >= d.closeAtMs) {
                candidates.add(e.getKey());
            }
        }
        Collections.sort(candidates);
        for (String vmId : candidates) {
            VmWindowState state = windows.get(vmId);
            if (state == null) {
                due.remove(vmId);
            } else if (closeDue(vmId, state, streamTime, wallNow)) {
                windows.put(vmId, state);
                track(vmId, state);
            }
        }
    }

    /** Emits every due window of one VM; true when the state changed. */
    private boolean closeDue(String vmId, VmWindowState state, long streamTime, long wallNow) {
        // After a failover the restored lastSampleWallMs is the old owner's: count quiet time from takeover.
        boolean quiet = wallClockClose && wallNow - Math.max(state.lastSampleWallMs, activeSinceWallMs) >= graceMs;
        boolean changed = false;
        Iterator<Map.Entry<Long, ProfileAccumulator>> it = state.open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, ProfileAccumulator> w = it.next();
            long closeAt = w.getKey() + windowMs + graceMs;
            if (streamTime < closeAt && !(quiet && wallNow >= closeAt)) {
                break;
            }
            long end = w.getKey() + windowMs;
            VmProfile profile = toProfile(vmId, w.getKey(), end, w.getValue(), state.lateSinceLastProfile);
            context.forward(new Record<>(vmId, profile, end));
            metrics.profiles.increment();
            state.lateSinceLastProfile = 0;
            state.closedUpToMs = Math.max(state.closedUpToMs, end);
            it.remove();
            changed = true;
        }
        return changed;
    }

    /** Means over the window, per the CSAP definitions; host headroom as last reported. */
    VmProfile toProfile(String vmId, long startMs, long endMs, ProfileAccumulator acc, int late) {
        int n = acc.sampleCount;
        double wssPages = acc.maxWorkingSetPages;
        if (Double.isNaN(wssPages)) {
            // No agent-side working set: bound it by what the window could dirty, capped at the VM size.
            wssPages = Math.min(acc.sumDirtyPagesPerSec, Units.pagesOfMib(acc.lastVmSizeMb));
        }
        HostSample host = hosts.get(acc.hostId);
        return VmProfile.newBuilder()
                .setVmId(vmId)
                .setHostId(acc.hostId)
                .setWindowStart(Instant.ofEpochMilli(startMs))
                .setWindowEnd(Instant.ofEpochMilli(endMs))
                .setSampleCount(n)
                .setVmSizeMb(acc.lastVmSizeMb)
                .setPdrPagesPerSec(acc.sumDirtyPagesPerSec / n)
                .setWssPages(wssPages)
                .setWse(acc.changedPageEntropy.mean())
                .setNwse(acc.unchangedPageEntropy.mean())
                .setMwppBytes(acc.modifiedBytesPerPage.mean())
                .setIpsPerSec(acc.instructionsPerSec.mean())
                .setCpuUtilPercent(acc.sumCpuUtilPercent / n)
                .setNetUtilMBps(acc.netUtilMBps.mean())
                .setSrcCpuAvailPercent(host == null ? null : host.getCpuAvailPercent())
                .setSrcMemAvailMb(host == null ? null : (double) host.getMemAvailMb())
                .setLateSampleCount(late)
                .setDirtyRateMethod(acc.lastDirtyRateMethod)
                .setVcpus(acc.lastVcpus)
                .build();
    }
}
