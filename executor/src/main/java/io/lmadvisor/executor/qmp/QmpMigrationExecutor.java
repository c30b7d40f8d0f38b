package io.lmadvisor.executor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.MigrationStatus;
import io.lmadvisor.executor.qmp.MigrationPlan.Side;
import io.lmadvisor.model.Units;
import io.lmadvisor.model.data.PostcopyDowntime;
import io.lmadvisor.qmp.QmpClient;
import io.lmadvisor.qmp.QmpException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one recommendation as a real QEMU live migration over QMP, exactly as its
 * {@code MigrationSettings} say (see {@link MigrationPlan}), and measures what happened as a
 * {@link MigrationOutcome}.
 *
 * <p>Safety: one migration per VM at a time and at most {@link QmpExecutorSettings#maxConcurrent()}
 * in all (further calls wait for a slot); every capability and parameter is checked against what
 * both QEMUs offer before anything is changed; when a run fails, times out or is stopped, it cancels
 * the migration (never in post-copy, where the destination already runs the guest) and puts back
 * every capability and parameter it changed. A recommendation that cannot be run at all (no
 * algorithm, wrong VM, VM busy) is a {@link Refused} exception; everything that went wrong once
 * QEMU was involved is a FAILED (or CANCELLED / NON_CONVERGED) outcome with a one-sentence reason.
 *
 * <p>Thread-safe: the Kafka runner and the lab call {@link #execute} from several threads.
 */
public final class QmpMigrationExecutor {
    private static final Logger log = LoggerFactory.getLogger(QmpMigrationExecutor.class);

    public static final String EXECUTOR_NAME = "qmp";
    /** QEMU 7.2 corrupts TCG guests during migration and 9.1 dropped {@code compress}: we target 9+. */
    public static final int MIN_QEMU_MAJOR = 9;

    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");
    private static final Set<String> POSTCOPY =
            Set.of("postcopy-active", "postcopy-paused", "postcopy-recover", "postcopy-recover-setup");

    /** A recommendation the executor will not run; nothing was sent to QEMU. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private final QmpExecutorSettings settings;
    private final Semaphore slots;
    private final Set<String> migrating = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    static {
        io.lmadvisor.serde.AvroTrust.install();
    }

    public QmpMigrationExecutor(QmpExecutorSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        slots = new Semaphore(settings.maxConcurrent(), true);
    }

    public QmpExecutorSettings settings() {
        return settings;
    }

    /** The commands a run of {@code rec} would send; refuses what {@link #execute} would refuse. */
    public MigrationPlan plan(MigrationRecommendation rec, InventoryEntry entry) {
        Objects.requireNonNull(rec, "rec");
        Objects.requireNonNull(entry, "entry");
        if (!rec.getVmId().equals(entry.vmId())) {
            throw new Refused(
                    "recommendation for VM " + rec.getVmId() + " does not match inventory entry " + entry.vmId());
        }
        if (rec.getAlgorithm() == null || rec.getSettings() == null) {
            throw new Refused("recommendation for VM " + rec.getVmId() + " has no algorithm (no destination or no"
                    + " algorithm meets its SLA): the advisor says not to migrate it");
        }
        return new MigrationPlan(rec.getVmId(), rec.getAlgorithm(), rec.getSettings(), entry);
    }

    /** Runs {@code rec} for the VM in {@code inventory}; a VM it does not list is {@link Refused}. */
    public MigrationOutcome execute(MigrationRecommendation rec, Inventory inventory) throws InterruptedException {
        InventoryEntry entry = inventory
                .find(rec.getVmId())
                .orElseThrow(() -> new Refused("VM " + rec.getVmId()
                        + " is not in the inventory" + (inventory.file() == null ? "" : " file " + inventory.file())
                        + ": the executor migrates only VMs it lists"));
        return execute(rec, entry);
    }

    /**
     * Migrates the VM of {@code entry} as {@code rec} says and returns what happened. Blocks until
     * the migration ends (or a slot is free).
     */
    public MigrationOutcome execute(MigrationRecommendation rec, InventoryEntry entry) throws InterruptedException {
        MigrationPlan plan = plan(rec, entry);
        if (!migrating.add(rec.getVmId())) {
            throw new Refused("VM " + rec.getVmId() + " is already being migrated: one migration per VM at a time");
        }
        try {
            slots.acquire();
            try {
                return new Run(plan, rec).run();
            } finally {
                slots.release();
            }
        } finally {
            migrating.remove(rec.getVmId());
        }
    }

    /** Whether {@code vmId} is being migrated now. */
    public boolean isMigrating(String vmId) {
        return migrating.contains(vmId);
    }

    /** Asks running migrations to cancel (post-copy ones finish) and refuses new work; for shutdown. */
    public void stop() {
        stopping = true;
    }

    /** One migration's state; everything it changed, so that it can put it back. */
    private final class Run {
        private final MigrationPlan plan;
        private final MigrationRecommendation rec;
        private final MigrationOutcome.Builder out;
        private final Map<String, Boolean> sourceCapsBefore = new LinkedHashMap<>();
        private final Map<String, Boolean> destCapsBefore = new LinkedHashMap<>();
        private final ObjectNode sourceParamsBefore = MigrationPlan.JSON.createObjectNode();
        private final ObjectNode destParamsBefore = MigrationPlan.JSON.createObjectNode();
        private QmpClient src;
        private QmpClient dst;
        private boolean incomingStarted;
        private String qemuVersion;
        private final long created = System.nanoTime();
        private long baselineNanos;

        Run(MigrationPlan plan, MigrationRecommendation rec) {
            this.plan = plan;
            this.rec = rec;
            Instant now = Instant.now();
            out = MigrationOutcome.newBuilder()
                    .setMigrationId(
                            rec.getVmId() + "@" + rec.getProfileWindowEnd().toEpochMilli() + "/"
                                    + rec.getAlgorithm().name() + "/" + now.toEpochMilli())
                    .setVmId(rec.getVmId())
                    .setAlgorithm(rec.getAlgorithm())
                    .setSourceHostId(rec.getSourceHostId())
                    .setDestinationHostId(
                            plan.entry().destinationHostId() != null
                                    ? plan.entry().destinationHostId()
                                    : String.valueOf(rec.getDestinationHostId()))
                    .setBandwidthMBps(bandwidthMBps(plan, rec))
                    .setStartTime(now)
                    .setEndTime(now)
                    .setStatus(MigrationStatus.FAILED)
                    .setRecommendationModelVersion(rec.getModelVersion())
                    .setExecutor(EXECUTOR_NAME);
        }

        MigrationOutcome run() {
            try {
                if (stopping) {
                    return finish(MigrationStatus.CANCELLED, "the executor is stopping");
                }
                src = QmpClient.connect(plan.entry().sourceQmp(), settings.commandTimeout());
                dst = QmpClient.connect(plan.entry().destinationQmp(), settings.commandTimeout());
                return migrate();
            } catch (IOException e) {
                return giveUp(MigrationStatus.FAILED, e.getMessage());
            } catch (QmpException e) {
                return giveUp(MigrationStatus.FAILED, "QEMU refused " + e.getMessage());
            } catch (InterruptedException e) {
                MigrationOutcome o = giveUp(MigrationStatus.CANCELLED, "the executor was interrupted");
                Thread.currentThread().interrupt();
                return o;
            } finally {
                if (src != null) {
                    src.close();
                }
                if (dst != null) {
                    dst.close();
                }
            }
        }

        private MigrationOutcome migrate() throws IOException, QmpException, InterruptedException {
            qemuVersion = version(src);
            out.setQemuVersion(qemuVersion);
            String dstVersion = version(dst);
            if (src.version()[0] < MIN_QEMU_MAJOR || dst.version()[0] < MIN_QEMU_MAJOR) {
                log.warn(
                        "QEMU {} (source) / {} (destination) is older than {}: the QMP executor is made for QEMU >= {}"
                                + " (7.2 corrupts TCG guests during migration; capabilities differ)",
                        qemuVersion,
                        dstVersion,
                        MIN_QEMU_MAJOR,
                        MIN_QEMU_MAJOR);
            }
            Map<String, Boolean> srcCaps = capabilities(src);
            Map<String, Boolean> dstCaps = capabilities(dst);
            String missing = missing(srcCaps, plan.sourceCapabilities().keySet(), Side.SOURCE, qemuVersion);
            if (missing == null) {
                missing = missing(dstCaps, plan.destinationCapabilities().keySet(), Side.DESTINATION, dstVersion);
            }
            JsonNode srcParams = src.execute("query-migrate-parameters", null);
            JsonNode dstParams = dst.execute("query-migrate-parameters", null);
            if (missing == null) {
                missing = missingParameter(srcParams, plan.sourceParameters(), Side.SOURCE, qemuVersion);
            }
            if (missing != null) {
                return finish(MigrationStatus.FAILED, missing);
            }
            String dstStatus = dst.execute("query-status", null).path("status").asText();
            if (!dstStatus.equals("inmigrate")) {
                return finish(
                        MigrationStatus.FAILED,
                        "destination QEMU at " + plan.entry().destinationQmp()
                                + " is not waiting for an incoming migration (status '" + dstStatus
                                + "'): start it with"
                                + " -incoming defer");
            }
            String srcMigration =
                    src.execute("query-migrate", null).path("status").asText("none");
            if (!srcMigration.equals("none") && !TERMINAL.contains(srcMigration)) {
                return finish(
                        MigrationStatus.FAILED,
                        "source QEMU at " + plan.entry().sourceQmp() + " is already migrating (status '" + srcMigration
                                + "')");
            }
            double guestGiB = src.execute("query-memory-size-summary", null)
                            .path("base-memory")
                            .asDouble()
                    / (1L << 30);
            QemuProcess process = process(src);

            // Turn off algorithm capabilities an earlier run left on: this run is exactly the recommendation.
            Map<String, Boolean> srcWanted = new LinkedHashMap<>();
            for (String c : MigrationPlan.ALGORITHM_CAPABILITIES) {
                if (srcCaps.getOrDefault(c, false) && !plan.sourceCapabilities().containsKey(c)) {
                    srcWanted.put(c, false);
                }
            }
            srcWanted.putAll(plan.sourceCapabilities());
            if (srcCaps.containsKey("events") && !srcWanted.containsKey("events")) {
                // MIGRATION events only with 'events' on: they time a post-copy switch shorter than one poll.
                srcWanted.put("events", true);
            }
            Map<String, Boolean> dstWanted = new LinkedHashMap<>();
            for (String c : MigrationPlan.BOTH_SIDES_CAPABILITIES) {
                if (dstCaps.getOrDefault(c, false)
                        && !plan.destinationCapabilities().containsKey(c)) {
                    dstWanted.put(c, false);
                }
            }
            dstWanted.putAll(plan.destinationCapabilities());

            double cpuBefore = Double.NaN;
            double rssBefore = Double.NaN;
            if (process != null && settings.baseline().toMillis() > 0) {
                double c0 = process.cpuSeconds();
                long t0 = System.nanoTime();
                double r0 = process.rssMib();
                Thread.sleep(settings.baseline().toMillis());
                baselineNanos = System.nanoTime() - t0;
                cpuBefore = 100.0 * (process.cpuSeconds() - c0) / ((System.nanoTime() - t0) / 1e9);
                rssBefore = (r0 + process.rssMib()) / 2;
            }

            setCapabilities(dst, dstWanted, dstCaps, destCapsBefore);
            setParameters(dst, plan.destinationParameters(), dstParams, destParamsBefore);
            dst.execute(
                    "migrate-incoming",
                    MigrationPlan.JSON
                            .createObjectNode()
                            .put("uri", plan.entry().incomingUri()));
            incomingStarted = true;
            setCapabilities(src, srcWanted, srcCaps, sourceCapsBefore);
            setParameters(src, plan.sourceParameters(), srcParams, sourceParamsBefore);
            out.setAppliedCapabilities(srcWanted);
            out.setAppliedParameters(MigrationPlan.asText(plan.sourceParameters()));

            Double linkMBps = plan.entry().linkMBps();
            if (linkMBps != null && out.getBandwidthMBps() > linkMBps) {
                log.warn(
                        "{}: max-bandwidth {} MB/s is above the inventory's link of {} MB/s; applied as recommended",
                        plan.vmId(),
                        out.getBandwidthMBps(),
                        linkMBps);
            }
            long timeoutMs = Math.max(1, Math.round(plan.completionTimeoutPerGiBs() * 1000.0 * guestGiB));
            double cpuStart = process == null ? Double.NaN : process.cpuSeconds();
            double rssPeak = process == null ? Double.NaN : process.rssMib();
            long start = System.nanoTime();
            long startEpochMs = System.currentTimeMillis();
            out.setStartTime(Instant.ofEpochMilli(startEpochMs));
            src.execute(
                    "migrate",
                    MigrationPlan.JSON
                            .createObjectNode()
                            .put("uri", plan.entry().migrationUri()));
            log.info(
                    "Migrating {} with {} to {} (timeout {} s; checks and settings took {} ms)",
                    plan.vmId(),
                    plan.algorithm(),
                    plan.entry().migrationUri(),
                    timeoutMs / 1000.0,
                    (System.nanoTime() - created - baselineNanos) / 1_000_000);

            boolean postcopySent = false;
            Long cancelledAtMs = null;
            String cancelReason = null;
            MigrationStatus cancelStatus = null;
            JsonNode info;
            while (true) {
                Thread.sleep(settings.pollInterval().toMillis());
                info = src.execute("query-migrate", null);
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                String status = info.path("status").asText("none");
                for (JsonNode ev : src.drainEvents()) {
                    if (out.getPostcopyStartedAfterMs() == null
                            && ev.path("event").asText().equals("MIGRATION")
                            && POSTCOPY.contains(ev.path("data").path("status").asText())) {
                        out.setPostcopyStartedAfterMs(eventAfterMs(ev, startEpochMs, elapsedMs));
                    }
                }
                track(info);
                if (process != null) {
                    rssPeak = Math.max(rssPeak, process.rssMib());
                }
                if (POSTCOPY.contains(status) && out.getPostcopyStartedAfterMs() == null) {
                    out.setPostcopyStartedAfterMs(elapsedMs);
                }
                if (TERMINAL.contains(status)) {
                    break;
                }
                boolean inPostcopy = out.getPostcopyStartedAfterMs() != null;
                if (!postcopySent
                        && plan.startPostcopyAfterMs() != null
                        && cancelledAtMs == null
                        && elapsedMs >= plan.startPostcopyAfterMs()
                        && status.equals("active")) {
                    src.execute("migrate-start-postcopy", null);
                    postcopySent = true;
                    log.info("{}: post-copy switch requested after {} ms", plan.vmId(), elapsedMs);
                }
                if (cancelledAtMs == null && !inPostcopy && (elapsedMs >= timeoutMs || stopping)) {
                    cancelStatus = stopping ? MigrationStatus.CANCELLED : MigrationStatus.NON_CONVERGED;
                    cancelReason = stopping
                            ? "the executor is stopping; migration cancelled"
                            : String.format(
                                    "did not complete within the completion timeout of %d ms"
                                            + " (completionTimeoutPerGiB %d s x %.3f GiB guest); migration cancelled",
                                    timeoutMs, plan.completionTimeoutPerGiBs(), guestGiB);
                    src.execute("migrate_cancel", null);
                    cancelledAtMs = elapsedMs;
                    log.info("{}: {}", plan.vmId(), cancelReason);
                }
                if (cancelledAtMs != null
                        && elapsedMs - cancelledAtMs > settings.cancelGrace().toMillis()) {
                    return finish(
                            MigrationStatus.FAILED,
                            cancelReason + ", but QEMU still reports '" + status + "' after "
                                    + settings.cancelGrace().toSeconds() + " s");
                }
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            if (process != null) {
                double seconds = elapsedMs / 1000.0;
                double cpuDuring = seconds > 0 ? 100.0 * (process.cpuSeconds() - cpuStart) / seconds : Double.NaN;
                if (!Double.isNaN(cpuBefore) && !Double.isNaN(cpuDuring)) {
                    // "Extra" is never negative: outcome consumers reject negative costs.
                    out.setSourceCpuExtraPercent(Math.max(0, cpuDuring - cpuBefore));
                    out.setSourceMemExtraMb(Math.max(0, rssPeak - rssBefore));
                }
            }
            String status = info.path("status").asText();
            switch (status) {
                case "completed":
                    out.setTotalTimeMs(
                            info.has("total-time") ? info.get("total-time").asLong() : elapsedMs);
                    if (info.has("downtime")) {
                        long downtimeMs = info.get("downtime").asLong();
                        if (out.getPostcopyStartedAfterMs() != null
                                && PostcopyDowntime.isSentinel(downtimeMs, out.getTotalTimeMs())) {
                            log.info(
                                    "{}: QEMU reports a post-copy downtime of {} ms of {} ms in all: its sentinel"
                                            + " for a stop under 1 ms (docs/LAB.md); recorded as 0 ms",
                                    out.getVmId(),
                                    downtimeMs,
                                    out.getTotalTimeMs());
                            downtimeMs = 0;
                        }
                        out.setDowntimeMs(downtimeMs);
                    }
                    return finish(MigrationStatus.COMPLETED, null);
                case "cancelled":
                    out.setTotalTimeMs(elapsedMs);
                    return finish(
                            cancelStatus != null ? cancelStatus : MigrationStatus.CANCELLED,
                            cancelReason != null
                                    ? cancelReason
                                    : "cancelled outside the executor (migrate_cancel" + " from another client?)");
                default:
                    out.setTotalTimeMs(elapsedMs);
                    return finish(
                            MigrationStatus.FAILED,
                            "QEMU reports the migration failed: "
                                    + info.path("error-desc").asText("no reason given"));
            }
        }

        private void track(JsonNode info) {
            JsonNode ram = info.path("ram");
            if (ram.has("transferred")) {
                out.setTransferredBytes(ram.get("transferred").asLong());
            }
            if (ram.has("dirty-sync-count")) {
                out.setDirtySyncCount(ram.get("dirty-sync-count").asLong());
            }
            if (info.has("cpu-throttle-percentage")) {
                out.setLastThrottlePercent(info.get("cpu-throttle-percentage").asInt());
            }
            if (info.has("setup-time")) {
                out.setSetupTimeMs(info.get("setup-time").asLong());
            }
        }

        /** Ends the run: puts back what it changed (source always; destination unless it took the guest). */
        private MigrationOutcome finish(MigrationStatus status, String reason) {
            if (src != null) {
                restore(src, Side.SOURCE, sourceCapsBefore, sourceParamsBefore);
            }
            if (dst != null && status != MigrationStatus.COMPLETED && !incomingStarted) {
                restore(dst, Side.DESTINATION, destCapsBefore, destParamsBefore);
            }
            out.setStatus(status).setFailureReason(reason).setEndTime(Instant.now());
            MigrationOutcome o = out.build();
            if (reason == null) {
                log.info(
                        "{} {} {}: {} ms, downtime {} ms, {} bytes",
                        o.getVmId(),
                        o.getAlgorithm(),
                        status,
                        o.getTotalTimeMs(),
                        o.getDowntimeMs(),
                        o.getTransferredBytes());
            } else {
                log.warn("{} {} {}: {}", o.getVmId(), o.getAlgorithm(), status, reason);
            }
            return o;
        }

        /** A QMP error or a broken connection mid-run: cancel what may be running, then finish. */
        private MigrationOutcome giveUp(MigrationStatus status, String reason) {
            if (src != null) {
                try {
                    String s = src.execute("query-migrate", null).path("status").asText("none");
                    if (!s.equals("none") && !TERMINAL.contains(s) && !POSTCOPY.contains(s)) {
                        src.execute("migrate_cancel", null);
                        // Settings can be put back only once QEMU has stopped migrating.
                        long until = System.nanoTime() + settings.cancelGrace().toNanos();
                        while (!TERMINAL.contains(s) && System.nanoTime() - until < 0) {
                            Thread.sleep(settings.pollInterval().toMillis());
                            s = src.execute("query-migrate", null)
                                    .path("status")
                                    .asText("none");
                        }
                    }
                } catch (IOException | QmpException e) {
                    log.debug(
                            "{}: no cancel on {}: {}", plan.vmId(), plan.entry().sourceQmp(), e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return finish(status, reason);
        }

        private void restore(QmpClient c, Side side, Map<String, Boolean> caps, ObjectNode params) {
            try {
                if (!caps.isEmpty()) {
                    c.execute("migrate-set-capabilities", MigrationPlan.capabilitiesArgument(caps));
                }
                if (!params.isEmpty()) {
                    c.execute("migrate-set-parameters", params);
                }
            } catch (IOException | QmpException e) {
                log.warn(
                        "{}: could not put back the {} QEMU's migration settings at {}: {}",
                        plan.vmId(),
                        side.name().toLowerCase(),
                        c.socket(),
                        e.getMessage());
            }
        }

        private void setCapabilities(
                QmpClient c, Map<String, Boolean> wanted, Map<String, Boolean> now, Map<String, Boolean> before)
                throws IOException, QmpException {
            if (wanted.isEmpty()) {
                return;
            }
            wanted.forEach((k, v) -> {
                if (!Objects.equals(now.get(k), v)) {
                    before.put(k, now.getOrDefault(k, false));
                }
            });
            c.execute("migrate-set-capabilities", MigrationPlan.capabilitiesArgument(wanted));
        }

        private void setParameters(QmpClient c, ObjectNode wanted, JsonNode now, ObjectNode before)
                throws IOException, QmpException {
            if (wanted.isEmpty()) {
                return;
            }
            wanted.properties().forEach(f -> {
                JsonNode old = now.get(f.getKey());
                // Compare numbers by value: QEMU's 300 is an int node, ours a long one.
                boolean same = old != null
                        && (old.isNumber() && f.getValue().isNumber()
                                ? old.asLong() == f.getValue().asLong()
                                : old.equals(f.getValue()));
                if (old != null && !same) {
                    before.set(f.getKey(), old);
                }
            });
            c.execute("migrate-set-parameters", wanted);
        }

        private QemuProcess process(QmpClient c) {
            try {
                JsonNode cpus = c.execute("query-cpus-fast", null);
                if (cpus.size() == 0 || !cpus.get(0).has("thread-id")) {
                    throw new IOException("query-cpus-fast gave no vCPU thread id");
                }
                return QemuProcess.ofThread(
                        settings.procRoot(), cpus.get(0).get("thread-id").asLong());
            } catch (IOException | QmpException e) {
                log.info("{}: no source CPU or memory figures: {}", plan.vmId(), e.getMessage());
                return null;
            }
        }
    }

    /** When an event happened after the start, by QEMU's timestamp when it is plausible, else when we saw it. */
    static long eventAfterMs(JsonNode event, long startEpochMs, long seenAfterMs) {
        JsonNode ts = event.path("timestamp");
        long atMs = ts.path("seconds").asLong() * 1000 + ts.path("microseconds").asLong() / 1000;
        long after = atMs - startEpochMs;
        return after >= 0 && after <= seenAfterMs ? after : seenAfterMs;
    }

    private static String version(QmpClient c) throws IOException, QmpException {
        JsonNode q = c.execute("query-version", null).path("qemu");
        return q.path("major").asInt() + "." + q.path("minor").asInt() + "."
                + q.path("micro").asInt();
    }

    private static Map<String, Boolean> capabilities(QmpClient c) throws IOException, QmpException {
        Map<String, Boolean> caps = new LinkedHashMap<>();
        for (JsonNode n : c.execute("query-migrate-capabilities", null)) {
            caps.put(n.path("capability").asText(), n.path("state").asBoolean());
        }
        return caps;
    }

    private static String missing(Map<String, Boolean> offered, Set<String> wanted, Side side, String version) {
        for (String w : wanted) {
            if (!offered.containsKey(w)) {
                return "QEMU " + version + " on the " + side.name().toLowerCase() + " has no migration capability '"
                        + w + "'"
                        + (w.equals("compress")
                                ? " (removed in QEMU 9.1: compression is multifd with" + " zlib or zstd)"
                                : "")
                        + "; nothing was changed";
            }
        }
        return null;
    }

    private static String missingParameter(JsonNode offered, ObjectNode wanted, Side side, String version) {
        for (Map.Entry<String, JsonNode> f : wanted.properties()) {
            if (!offered.has(f.getKey())) {
                return "QEMU " + version + " on the " + side.name().toLowerCase() + " has no migration parameter '"
                        + f.getKey() + "'; nothing was changed";
            }
        }
        return null;
    }

    /** The bandwidth actually applied, MB/s: QEMU's max-bandwidth (bytes/s) when the settings set it. */
    private static double bandwidthMBps(MigrationPlan plan, MigrationRecommendation rec) {
        JsonNode bw = plan.sourceParameters().get("max-bandwidth");
        if (bw == null || !bw.isNumber() || bw.asLong() == Units.bytesPerSecond(rec.getBandwidthMBps())) {
            // The recommendation's own figure, bit for bit: the online evaluation matches on it.
            return rec.getBandwidthMBps();
        }
        return Units.mbPerSecond(bw.asDouble());
    }
}
