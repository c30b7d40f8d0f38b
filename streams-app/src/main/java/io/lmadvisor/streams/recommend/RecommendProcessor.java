package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.WithStores;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Profile → {@link Decision}: the recommendation and the risks present now, which the risk processor turns
 * into events. Keeps the latest profile and recommendation per VM for {@code GET /vms/{id}}.
 */
public final class RecommendProcessor implements Processor<String, VmProfile, String, Decision> {
    private final Supplier<RecommendationEngine> engine;
    private final AdvisorMetrics metrics;
    private final boolean wallClock;

    private ProcessorContext<String, Decision> context;
    private KeyValueStore<String, HostSample> hosts;
    private KeyValueStore<String, SlaPolicy> policies;
    private KeyValueStore<String, VmProfile> latestProfiles;
    private KeyValueStore<String, MigrationRecommendation> latestRecommendations;

    private final HostStatesCache hostStates;

    private RecommendProcessor(
            Supplier<RecommendationEngine> engine, AdvisorMetrics metrics, boolean wallClock, AtomicLong hostChanges) {
        this.engine = engine;
        this.metrics = metrics;
        this.wallClock = wallClock;
        this.hostStates = new HostStatesCache(hostChanges);
    }

    /**
     * The processor with its own stores. It also reads the global stores of hosts (destinations) and SLA
     * policies.
     *
     * @param wallClock   stamp advice by wall-clock time; off in a backtest, whose output must depend on
     *                    event time only
     * @param hostChanges the host store's write count ({@link io.lmadvisor.streams.host.ChangeCountingStore})
     */
    public static ProcessorSupplier<String, VmProfile, String, Decision> supplier(
            Supplier<RecommendationEngine> engine,
            AdvisorSerdes serdes,
            AdvisorMetrics metrics,
            boolean wallClock,
            AtomicLong hostChanges) {
        return WithStores.supplier(
                () -> new RecommendProcessor(engine, metrics, wallClock, hostChanges),
                Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(AdvisorTopology.LATEST_PROFILE_STORE),
                        Serdes.String(),
                        serdes.vmProfile()),
                Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(AdvisorTopology.LATEST_RECOMMENDATION_STORE),
                        Serdes.String(),
                        serdes.recommendation()));
    }

    @Override
    public void init(ProcessorContext<String, Decision> context) {
        this.context = context;
        this.hosts = context.getStateStore(AdvisorTopology.HOST_STORE);
        this.policies = context.getStateStore(AdvisorTopology.POLICY_STORE);
        this.latestProfiles = context.getStateStore(AdvisorTopology.LATEST_PROFILE_STORE);
        this.latestRecommendations = context.getStateStore(AdvisorTopology.LATEST_RECOMMENDATION_STORE);
    }

    @Override
    public void process(Record<String, VmProfile> record) {
        VmProfile profile = record.value();
        String vmId = record.key();
        long nowMs = wallClock ? context.currentSystemTimeMs() : record.timestamp();
        long startNs = System.nanoTime();
        Decision decision =
                engine.get().decide(profile, hostStates.get(hosts), policyFor(vmId), Instant.ofEpochMilli(nowMs));
        long scoringNs = System.nanoTime() - startNs;
        metrics.scoringNanos.add(scoringNs);
        metrics.lastScoringNanos.set(scoringNs);
        metrics.recommendations.increment();
        latestProfiles.put(vmId, profile);
        latestRecommendations.put(vmId, decision.recommendation());
        context.forward(new Record<>(vmId, decision, record.timestamp()));
    }

    private SlaPolicy policyFor(String vmId) {
        return SlaPolicies.forVm(vmId, policies::get);
    }
}
