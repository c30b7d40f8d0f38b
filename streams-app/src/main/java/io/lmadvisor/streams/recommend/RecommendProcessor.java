package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskTransition;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.risk.RiskHysteresis;
import io.lmadvisor.streams.risk.RiskState;
import io.lmadvisor.streams.risk.RiskTracker;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Profile → recommendation, and risk events on state changes only ({@link RiskTracker}). A VM whose profiles stop for N windows (by the
 * wall clock) gets AGENT_SILENT.
 */
public final class RecommendProcessor implements Processor<String, VmProfile, String, Object> {
    public static final String TO_RECOMMENDATIONS = "to-recommendations";
    public static final String TO_RISKS = "to-risk-events";

    private final Supplier<RecommendationEngine> engine;
    private final String hostStoreName;
    private final String policyStoreName;
    private final String riskStoreName;
    private final String latestProfileStoreName;
    private final String latestRecommendationStoreName;
    private final Duration silentAfter;
    private final AdvisorMetrics metrics;
    private final boolean wallClock;
    private final RiskTracker tracker;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, HostSample> hosts;
    private KeyValueStore<String, SlaPolicy> policies;
    private KeyValueStore<String, RiskState> risks;
    private KeyValueStore<String, VmProfile> latestProfiles;
    private KeyValueStore<String, MigrationRecommendation> latestRecommendations;

    public RecommendProcessor(Supplier<RecommendationEngine> engine, String hostStoreName, String policyStoreName,
                              String riskStoreName, String latestProfileStoreName, String latestRecommendationStoreName,
                              Duration silentAfter, AdvisorMetrics metrics) {
        this(engine, hostStoreName, policyStoreName, riskStoreName, latestProfileStoreName, latestRecommendationStoreName,
                silentAfter, metrics, true);
    }

    /**
     * @param wallClock flag silent agents and stamp advice by wall-clock time; off in a backtest, whose
     *                  output must depend on event time only
     */
    public RecommendProcessor(Supplier<RecommendationEngine> engine, String hostStoreName, String policyStoreName,
                              String riskStoreName, String latestProfileStoreName, String latestRecommendationStoreName,
                              Duration silentAfter, AdvisorMetrics metrics, boolean wallClock) {
        this(engine, hostStoreName, policyStoreName, riskStoreName, latestProfileStoreName, latestRecommendationStoreName,
                silentAfter, metrics, wallClock, RiskHysteresis.DEFAULTS);
    }

    public RecommendProcessor(Supplier<RecommendationEngine> engine, String hostStoreName, String policyStoreName,
                              String riskStoreName, String latestProfileStoreName, String latestRecommendationStoreName,
                              Duration silentAfter, AdvisorMetrics metrics, boolean wallClock, RiskHysteresis hysteresis) {
        this.wallClock = wallClock;
        this.tracker = new RiskTracker(hysteresis);
        this.engine = engine;
        this.hostStoreName = hostStoreName;
        this.policyStoreName = policyStoreName;
        this.riskStoreName = riskStoreName;
        this.latestProfileStoreName = latestProfileStoreName;
        this.latestRecommendationStoreName = latestRecommendationStoreName;
        this.silentAfter = silentAfter;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.hosts = context.getStateStore(hostStoreName);
        this.policies = context.getStateStore(policyStoreName);
        this.risks = context.getStateStore(riskStoreName);
        this.latestProfiles = context.getStateStore(latestProfileStoreName);
        this.latestRecommendations = context.getStateStore(latestRecommendationStoreName);
        if (wallClock) {
            context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::detectSilentAgents);
        }
    }

    @Override
    public void process(Record<String, VmProfile> record) {
        VmProfile profile = record.value();
        String vmId = record.key();
        RecommendationEngine current = engine.get();
        long startNs = System.nanoTime();
        Decision decision = current.decide(profile, hostStates(), policyFor(vmId), Instant.ofEpochMilli(nowMs(record.timestamp())));
        long scoringNs = System.nanoTime() - startNs;
        metrics.scoringNanos.add(scoringNs);
        metrics.lastScoringNanos.set(scoringNs);
        metrics.recommendations.increment();
        context.forward(new Record<String, Object>(vmId, decision.recommendation(), record.timestamp()), TO_RECOMMENDATIONS);
        latestProfiles.put(vmId, profile);
        latestRecommendations.put(vmId, decision.recommendation());

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
                emit(vmId, profile.getHostId(), r.type(), SlaRiskTransition.RAISED, r.severity(), r.message(), r.metric(),
                        r.predictedValue(), r.limitValue(), current.modelVersion(), record.timestamp());
            } else {
                String why = t.type() == SlaRiskType.AGENT_SILENT ? "samples arrive again" : "no longer predicted";
                emit(vmId, profile.getHostId(), t.type(), SlaRiskTransition.CLEARED, t.severity(), why, null, Double.NaN,
                        Double.NaN, current.modelVersion(), record.timestamp());
            }
        }
        state.profileSeen(profile.getHostId(), context.currentSystemTimeMs());
        risks.put(vmId, state);
    }

    private long nowMs(long eventTimeMs) {
        return wallClock ? context.currentSystemTimeMs() : eventTimeMs;
    }

    private void detectSilentAgents(long wallNow) {
        List<KeyValue<String, RiskState>> silent = new ArrayList<>();
        try (KeyValueIterator<String, RiskState> it = risks.all()) {
            while (it.hasNext()) {
                KeyValue<String, RiskState> kv = it.next();
                if (!kv.value.open().containsKey(SlaRiskType.AGENT_SILENT)
                        && wallNow - kv.value.lastProfileWallMs() >= silentAfter.toMillis()) {
                    silent.add(kv);
                }
            }
        }
        for (KeyValue<String, RiskState> kv : silent) {
            double silentS = (wallNow - kv.value.lastProfileWallMs()) / 1000.0;
            emit(kv.key, kv.value.hostId(), SlaRiskType.AGENT_SILENT, SlaRiskTransition.RAISED, SlaRiskSeverity.WARNING,
                    String.format("no profile for %.0f s: the host agent may be down or the VM stopped", silentS),
                    "silentSeconds", silentS, silentAfter.toSeconds(), engine.get().modelVersion(), wallNow);
            kv.value.open().put(SlaRiskType.AGENT_SILENT, SlaRiskSeverity.WARNING);
            risks.put(kv.key, kv.value);
        }
    }

    private void emit(String vmId, String hostId, SlaRiskType type, SlaRiskTransition transition, SlaRiskSeverity severity,
                      String message, String metric, double predicted, double limit, String modelVersion, long timestamp) {
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
        context.forward(new Record<String, Object>(vmId, event, timestamp), TO_RISKS);
    }

    private List<HostState> hostStates() {
        List<HostState> out = new ArrayList<>();
        try (KeyValueIterator<String, HostSample> it = hosts.all()) {
            while (it.hasNext()) {
                out.add(HostState.of(it.next().value));
            }
        }
        return out;
    }

    private SlaPolicy policyFor(String vmId) {
        SlaPolicy p = policies.get(vmId);
        if (p == null) {
            p = policies.get(SlaPolicies.DEFAULT_KEY);
        }
        return p == null ? SlaPolicies.builtIn() : p;
    }
}
