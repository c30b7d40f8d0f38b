package io.lmadvisor.executor;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.simulator.migration.MeasurementNoise;
import io.lmadvisor.simulator.migration.MigrationSettings;
import io.lmadvisor.simulator.migration.MigrationSimulator;
import io.lmadvisor.simulator.workload.HostLoad;
import io.lmadvisor.simulator.workload.VmSnapshot;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Decides whether to run a recommendation, runs it in the {@link MigrationSimulator} and describes
 * the run as a {@link MigrationOutcome}. Every random choice comes from a generator keyed by seed,
 * VM and profile window, so the result does not depend on the order recommendations arrive in.
 *
 * <p>Stateful (which VM is migrating until when) and not thread-safe: one instance per consumer
 * thread.
 */
public final class SimulatedExecutor {
    public static final String EXECUTOR_NAME = "simulator";

    /** Why a recommendation was not run. */
    public enum SkipReason {
        /** No feasible destination. */
        NO_DESTINATION,
        /** A destination but no algorithm meets the SLA: the advisor says not to migrate. */
        NO_ALGORITHM,
        /** Profile unusable (size, dirty rate or WSS missing) or of another VM. */
        INVALID_PROFILE,
        /** Bandwidth not a positive number. */
        INVALID_BANDWIDTH,
        /** The VM is still being migrated at the recommendation's time. */
        MIGRATING,
        /** Left out by {@link ExecutorSettings#executeFraction()}. */
        NOT_SELECTED
    }

    // Prune finished migrations once the map grows past this many VMs.
    private static final int PRUNE_THRESHOLD = 10_000;

    private final ExecutorSettings settings;
    private final MigrationSimulator simulator;
    private final MeasurementNoise noise;
    private final Map<String, Long> busyUntilMs = new HashMap<>();
    private final Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
    private long executed;
    private SkipReason lastSkip;

    static {
        // Copying our Avro records (enums included) needs the generated package trusted, serde or not.
        io.lmadvisor.serde.AvroTrust.install();
    }

    public SimulatedExecutor(ExecutorSettings settings, MigrationSimulator simulator, MeasurementNoise noise) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.simulator = Objects.requireNonNull(simulator, "simulator");
        this.noise = Objects.requireNonNull(noise, "noise");
    }

    /** Calibrated CSAP mechanics with CSAP-like run-to-run noise, as a real testbed would measure. */
    public SimulatedExecutor(ExecutorSettings settings) {
        this(settings, new MigrationSimulator(), MeasurementNoise.csap());
    }

    public ExecutorSettings settings() {
        return settings;
    }

    /**
     * Runs {@code rec} for the VM described by {@code profile}, starting at {@code now}.
     *
     * @param now start of the migration; also the time the VM's busy state is checked against, so
     *            pass the recommendation's event time for reproducible runs
     * @return the outcome, or empty when the recommendation is skipped (see {@link #lastSkip()})
     */
    public Optional<MigrationOutcome> execute(VmProfile profile, MigrationRecommendation rec, Instant now) {
        Objects.requireNonNull(rec, "rec");
        Objects.requireNonNull(now, "now");
        String vmId = rec.getVmId();
        if (rec.getDestinationHostId() == null) {
            return skip(SkipReason.NO_DESTINATION);
        }
        if (rec.getAlgorithm() == null) {
            return skip(SkipReason.NO_ALGORITHM);
        }
        if (profile == null || !vmId.equals(profile.getVmId()) || !ProfileMapping.isSimulatable(profile)) {
            return skip(SkipReason.INVALID_PROFILE);
        }
        double bandwidthMBps = rec.getBandwidthMBps();
        if (!(bandwidthMBps > 0) || Double.isInfinite(bandwidthMBps)) {
            return skip(SkipReason.INVALID_BANDWIDTH);
        }
        long nowMs = now.toEpochMilli();
        Long busyUntil = busyUntilMs.get(vmId);
        if (busyUntil != null && nowMs < busyUntil) {
            return skip(SkipReason.MIGRATING);
        }

        SplittableRandom rng = rngFor(vmId, rec.getProfileWindowEnd().toEpochMilli());
        // Draw both choices up front so the algorithm draw does not shift with executeFraction.
        double executeDraw = rng.nextDouble();
        double offPolicyDraw = rng.nextDouble();
        int otherIndex = rng.nextInt(Algorithm.values().length - 1);
        if (executeDraw >= settings.executeFraction()) {
            return skip(SkipReason.NOT_SELECTED);
        }
        Algorithm recommended = toModel(rec.getAlgorithm());
        Algorithm algorithm =
                offPolicyDraw < settings.offPolicyFraction() ? other(recommended, otherIndex) : recommended;

        VmSnapshot vm = ProfileMapping.snapshot(profile);
        HostLoad host = ProfileMapping.hostLoad(profile);
        io.lmadvisor.simulator.migration.MigrationOutcome sim =
                simulator.simulate(algorithm, vm, host, MigrationSettings.defaults(bandwidthMBps));
        noise.apply(sim, rng);

        long totalTimeMs = Math.round(sim.totalTimeMs);
        long endMs = nowMs + totalTimeMs;
        busyUntilMs.put(vmId, endMs);
        pruneFinished(nowMs);
        executed++;
        lastSkip = null;
        return Optional.of(MigrationOutcome.newBuilder()
                .setMigrationId(migrationId(vmId, rec.getProfileWindowEnd(), algorithm))
                .setVmId(vmId)
                .setAlgorithm(toAvro(algorithm))
                .setSourceHostId(rec.getSourceHostId())
                .setDestinationHostId(rec.getDestinationHostId())
                .setBandwidthMBps(bandwidthMBps)
                .setStartTime(Instant.ofEpochMilli(nowMs))
                .setEndTime(Instant.ofEpochMilli(endMs))
                .setStatus(sim.converged() ? MigrationStatus.COMPLETED : MigrationStatus.NON_CONVERGED)
                .setTotalTimeMs(totalTimeMs)
                .setDowntimeMs(Math.round(sim.downtimeMs))
                .setTransferredBytes(Math.round(sim.transferredBytes))
                .setPerformanceDegradation(sim.perfDegradation)
                .setSourceCpuExtraPercent(sim.srcCpuPct)
                .setSourceMemExtraMb(sim.srcMemMb)
                .setRecommendationModelVersion(rec.getModelVersion())
                .setExecutor(EXECUTOR_NAME)
                .build());
    }

    /** Whether {@code vmId} is still being migrated at {@code now}. */
    public boolean isMigrating(String vmId, Instant now) {
        Long until = busyUntilMs.get(vmId);
        return until != null && now.toEpochMilli() < until;
    }

    /** Why the last {@link #execute} call returned empty; null after an executed one or before any. */
    public SkipReason lastSkip() {
        return lastSkip;
    }

    public long executedCount() {
        return executed;
    }

    /** Skips so far, per reason. */
    public Map<SkipReason, Long> skippedCounts() {
        return Map.copyOf(skipped);
    }

    public long skippedCount() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Same VM, profile window and algorithm always give the same id, so re-runs are recognisable. */
    public static String migrationId(String vmId, Instant profileWindowEnd, Algorithm algorithm) {
        return vmId + "@" + profileWindowEnd.toEpochMilli() + "/" + algorithm.name();
    }

    public static Algorithm toModel(MigrationAlgorithm a) {
        // Both enums list the CSAP capability codes in the same order and spelling.
        return Algorithm.valueOf(a.name());
    }

    public static MigrationAlgorithm toAvro(Algorithm a) {
        return MigrationAlgorithm.valueOf(a.name());
    }

    private static Algorithm other(Algorithm recommended, int index) {
        Algorithm[] all = Algorithm.values();
        // index ranges over the other algorithms only: shift past the recommended one.
        return all[index >= recommended.ordinal() ? index + 1 : index];
    }

    private SplittableRandom rngFor(String vmId, long windowEndMs) {
        long key = settings.seed();
        key = key * 0x9E3779B97F4A7C15L + vmId.hashCode();
        key = key * 0x9E3779B97F4A7C15L + windowEndMs;
        return new SplittableRandom(key);
    }

    private Optional<MigrationOutcome> skip(SkipReason reason) {
        skipped.merge(reason, 1L, Long::sum);
        lastSkip = reason;
        return Optional.empty();
    }

    private void pruneFinished(long nowMs) {
        if (busyUntilMs.size() > PRUNE_THRESHOLD) {
            busyUntilMs.values().removeIf(until -> until <= nowMs);
        }
    }
}
