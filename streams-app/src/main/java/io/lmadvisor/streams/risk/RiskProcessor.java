package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskTransition;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.WithStores;
import io.lmadvisor.streams.recommend.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
 * Decision → SLA risk events, on state changes only ({@link RiskTracker}): RAISED when a risk appears or
 * changes severity, CLEARED when the hysteresis lets it go. A VM whose profiles stop for N windows (by the
 * wall clock) gets AGENT_SILENT. Keeps each VM's open risks in {@link AdvisorTopology#RISK_STORE}.
 */
public final class RiskProcessor implements Processor<String, Decision, String, SlaRiskEvent> {
    private final Supplier<String> modelVersion;
    private final Duration silentAfter;
    private final AdvisorMetrics metrics;
    private final boolean wallClock;
    private final RiskTracker tracker;

    private ProcessorContext<String, SlaRiskEvent> context;
    private KeyValueStore<String, RiskState> risks;
    /**
     * Last profile's wall-clock time of each VM not yet flagged silent, so the punctuator reads only the VMs it
     * flags instead of decoding every VM's state each second; rebuilt from the store at the first punctuation.
     */
    private final Map<String, Long> lastProfileWallMs = new HashMap<>();

    private boolean indexed;

    /**
     * @param modelVersion the current model's version, stamped on AGENT_SILENT events
     * @param wallClock    flag silent agents and stamp events by wall-clock time; off in a backtest, whose
     *                     output must depend on event time only
     */
    private RiskProcessor(
            Supplier<String> modelVersion,
            Duration silentAfter,
            AdvisorMetrics metrics,
            boolean wallClock,
            RiskHysteresis hysteresis) {
        this.modelVersion = modelVersion;
        this.silentAfter = silentAfter;
        this.metrics = metrics;
        this.wallClock = wallClock;
        this.tracker = new RiskTracker(hysteresis);
    }

    /** The processor with its store. */
    public static ProcessorSupplier<String, Decision, String, SlaRiskEvent> supplier(
            Supplier<String> modelVersion,
            Duration silentAfter,
            AdvisorMetrics metrics,
            boolean wallClock,
            RiskHysteresis hysteresis) {
        StoreBuilder<KeyValueStore<String, RiskState>> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdvisorTopology.RISK_STORE), Serdes.String(), RiskState.serde());
        return WithStores.supplier(
                () -> new RiskProcessor(modelVersion, silentAfter, metrics, wallClock, hysteresis), store);
    }

    @Override
    public void init(ProcessorContext<String, SlaRiskEvent> context) {
        this.context = context;
        this.risks = context.getStateStore(AdvisorTopology.RISK_STORE);
        lastProfileWallMs.clear();
        indexed = false;
        if (wallClock) {
            context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::detectSilentAgents);
        }
    }

    @Override
    public void process(Record<String, Decision> record) {
        String vmId = record.key();
        Decision decision = record.value();
        MigrationRecommendation rec = decision.recommendation();
        String hostId = rec.getSourceHostId();
        RiskState state = risks.get(vmId);
        if (state == null) {
            state = new RiskState();
        }
        Map<SlaRiskType, Risk> now = new EnumMap<>(SlaRiskType.class);
        Map<SlaRiskType, SlaRiskSeverity> present = new EnumMap<>(SlaRiskType.class);
        for (Risk r : decision.risks()) {
            if (now.putIfAbsent(r.type(), r) == null) {
                present.put(r.type(), r.severity());
            }
        }
        for (RiskTracker.Transition t : tracker.update(state, present, decision::level)) {
            if (t.transition() == SlaRiskTransition.RAISED) {
                Risk r = now.get(t.type());
                emit(
                        vmId,
                        hostId,
                        r.type(),
                        SlaRiskTransition.RAISED,
                        r.severity(),
                        r.message(),
                        r.metric(),
                        r.predictedValue(),
                        r.limitValue(),
                        rec.getModelVersion(),
                        record.timestamp());
            } else {
                String why = t.type() == SlaRiskType.AGENT_SILENT ? "samples arrive again" : "no longer predicted";
                emit(
                        vmId,
                        hostId,
                        t.type(),
                        SlaRiskTransition.CLEARED,
                        t.severity(),
                        why,
                        null,
                        Double.NaN,
                        Double.NaN,
                        rec.getModelVersion(),
                        record.timestamp());
            }
        }
        state.profileSeen(hostId, context.currentSystemTimeMs());
        risks.put(vmId, state);
        track(vmId, state);
    }

    private void track(String vmId, RiskState state) {
        if (!wallClock) {
            return;
        }
        if (state.open().containsKey(SlaRiskType.AGENT_SILENT)) {
            lastProfileWallMs.remove(vmId);
        } else {
            lastProfileWallMs.put(vmId, state.lastProfileWallMs());
        }
    }

    private long nowMs(long eventTimeMs) {
        return wallClock ? context.currentSystemTimeMs() : eventTimeMs;
    }

    private void detectSilentAgents(long wallNow) {
        if (!indexed) {
            lastProfileWallMs.clear();
            try (KeyValueIterator<String, RiskState> it = risks.all()) {
                while (it.hasNext()) {
                    KeyValue<String, RiskState> kv = it.next();
                    track(kv.key, kv.value);
                }
            }
            indexed = true;
        }
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, Long> e : lastProfileWallMs.entrySet()) {
            if (wallNow - e.getValue() >= silentAfter.toMillis()) {
                candidates.add(e.getKey());
            }
        }
        // In store (key) order, as a scan of the store gave.
        Collections.sort(candidates);
        List<KeyValue<String, RiskState>> silent = new ArrayList<>();
        for (String vmId : candidates) {
            RiskState state = risks.get(vmId);
            if (state != null
                    && !state.open().containsKey(SlaRiskType.AGENT_SILENT)
                    && wallNow - state.lastProfileWallMs() >= silentAfter.toMillis()) {
                silent.add(KeyValue.pair(vmId, state));
            }
        }
        for (KeyValue<String, RiskState> kv : silent) {
            double silentS = (wallNow - kv.value.lastProfileWallMs()) / 1000.0;
            emit(
                    kv.key,
                    kv.value.hostId(),
                    SlaRiskType.AGENT_SILENT,
                    SlaRiskTransition.RAISED,
                    SlaRiskSeverity.WARNING,
                    String.format("no profile for %.0f s: the host agent may be down or the VM stopped", silentS),
                    "silentSeconds",
                    silentS,
                    silentAfter.toSeconds(),
                    modelVersion.get(),
                    wallNow);
            kv.value.open().put(SlaRiskType.AGENT_SILENT, SlaRiskSeverity.WARNING);
            risks.put(kv.key, kv.value);
            lastProfileWallMs.remove(kv.key);
        }
    }

    private void emit(
            String vmId,
            String hostId,
            SlaRiskType type,
            SlaRiskTransition transition,
            SlaRiskSeverity severity,
            String message,
            String metric,
            double predicted,
            double limit,
            String modelVersion,
            long timestamp) {
        SlaRiskEvent event = SlaRiskEvent.newBuilder()
                .setVmId(vmId)
                .setHostId(hostId == null || hostId.isEmpty() ? null : hostId)
                .setRiskType(type)
                .setTransition(transition)
                .setSeverity(severity)
                .setTimestamp(Instant.ofEpochMilli(nowMs(timestamp)))
                .setMessage(message)
                .setMetric(metric)
                .setPredictedValue(Double.isNaN(predicted) ? null : predicted)
                .setLimitValue(Double.isNaN(limit) ? null : limit)
                .setModelVersion(modelVersion)
                .build();
        metrics.riskEvents.increment();
        context.forward(new Record<>(vmId, event, timestamp));
    }
}
