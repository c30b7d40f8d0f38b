package io.lmadvisor.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.qmp.QmpClient;
import io.lmadvisor.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The lab's smoke path: boots a source and a destination guest with one workload, migrates it
 * once over loopback with plain QMP commands (pre-copy, the workload's bandwidth and downtime
 * limit) and asks the destination's workload to verify every page.
 */
public final class SmokeMigration {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> FINAL = Set.of("completed", "failed", "cancelled");
    /** Rate lines of the source before the migration: the PERF baseline. */
    static final int BASELINE_SECONDS = 3;

    private final LabAssets assets;
    private final Path runDir;
    private final LabGuest.Accel accel;
    private final String qemuBinary;
    private final Consumer<String> progress;

    public SmokeMigration(
            LabAssets assets, Path runDir, LabGuest.Accel accel, String qemuBinary, Consumer<String> progress) {
        this.assets = assets;
        this.runDir = runDir;
        this.accel = accel;
        this.qemuBinary = qemuBinary;
        this.progress = progress;
    }

    /**
     * The outcome. {@code pagesPerSecBefore/During} are the workload's own mean rates on the source
     * before and during the migration (its performance under migration, the PERF target).
     */
    public record Result(
            String workload,
            String status,
            long totalTimeMs,
            long downtimeMs,
            long setupTimeMs,
            long transferredBytes,
            long dirtySyncCount,
            double pagesPerSecBefore,
            double pagesPerSecDuring,
            WorkloadOutput.Verification destination,
            String qemuVersion,
            LabGuest.Accel accel,
            double hostLoad1) {
        public boolean integrityOk() {
            return destination != null && destination.ok();
        }

        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "%s: %s in %d ms (downtime %s, setup %d ms, %.1f MiB sent, %d dirty syncs); workload %.0f pages/s"
                            + " before, %.0f during; destination %s; QEMU %s %s, host load %.2f",
                    workload,
                    status,
                    totalTimeMs,
                    downtimeMs < 0 ? "n/a" : downtimeMs + " ms",
                    setupTimeMs,
                    transferredBytes / 1048576.0,
                    dirtySyncCount,
                    pagesPerSecBefore,
                    pagesPerSecDuring,
                    destination == null
                            ? "not verified"
                            : (destination.ok() ? "integrity OK" : "INTEGRITY FAILED") + " (" + destination.pages()
                                    + " pages, " + destination.bad() + " bad)",
                    qemuVersion,
                    accel.name().toLowerCase(Locale.ROOT),
                    hostLoad1);
        }
    }

    public Result run(Workload w, Duration timeout) throws IOException, InterruptedException {
        LabGuest src = LabGuest.builder("src", assets, runDir, w)
                .accel(accel)
                .qemuBinary(qemuBinary)
                .build();
        LabGuest dst = LabGuest.builder("dst", assets, runDir, w)
                .role(LabGuest.Role.DESTINATION)
                .accel(accel)
                .qemuBinary(qemuBinary)
                .build();
        try (src;
                dst) {
            progress.accept("lab smoke: booting source (" + w.ramMiB() + " MiB, " + accel + ") with " + w.kernelArgs());
            src.start();
            src.awaitReady(Duration.ofMinutes(3));
            int ready = src.rates().size();
            List<WorkloadOutput.Rate> base = src.awaitRates(ready + BASELINE_SECONDS, Duration.ofMinutes(1));
            double before = WorkloadOutput.meanPagesPerSec(base.subList(ready, base.size()));
            progress.accept(String.format(Locale.ROOT, "lab smoke: source ready, workload %.0f pages/s", before));
            dst.start();
            try (QmpClient s = QmpClient.connect(src.executorQmpSocket(), QMP_TIMEOUT);
                    QmpClient d = QmpClient.connect(dst.executorQmpSocket(), QMP_TIMEOUT)) {
                String version = String.join(
                        ".",
                        java.util.Arrays.stream(s.version())
                                .mapToObj(Integer::toString)
                                .toList());
                d.execute("migrate-incoming", obj().put("uri", dst.incomingUri()));
                s.execute(
                        "migrate-set-parameters",
                        obj().put("max-bandwidth", (long) w.bandwidthMiBps() << 20)
                                .put("downtime-limit", w.downtimeLimitMs()));
                double load1 = HostLoad.load1();
                int startRates = src.rates().size();
                progress.accept(
                        "lab smoke: migrating to " + dst.incomingUri() + " at " + w.bandwidthMiBps() + " MiB/s");
                s.execute("migrate", obj().put("uri", dst.incomingUri()));
                JsonNode info = poll(s, timeout);
                String status = info.path("status").asText();
                List<WorkloadOutput.Rate> all = src.rates();
                double during =
                        WorkloadOutput.meanPagesPerSec(all.subList(Math.min(startRates, all.size()), all.size()));
                WorkloadOutput.Verification verification = null;
                if ("completed".equals(status)) {
                    String runState =
                            d.execute("query-status", null).path("status").asText();
                    progress.accept(
                            "lab smoke: migration completed, destination " + runState + "; verifying its memory");
                    verification = dst.verify(Duration.ofMinutes(2));
                }
                JsonNode ram = info.path("ram");
                return new Result(
                        w.name(),
                        status,
                        info.path("total-time").asLong(-1),
                        info.path("downtime").asLong(-1),
                        info.path("setup-time").asLong(-1),
                        ram.path("transferred").asLong(-1),
                        ram.path("dirty-sync-count").asLong(-1),
                        before,
                        during,
                        verification,
                        version,
                        accel,
                        load1);
            } catch (QmpException e) {
                throw new LabException("QMP refused a migration command: " + e.getMessage(), e);
            }
        }
    }

    /** Polls query-migrate until a final state; cancels at the timeout (then reports "cancelled"). */
    private static JsonNode poll(QmpClient s, Duration timeout) throws IOException, QmpException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode info = s.execute("query-migrate", null);
            if (FINAL.contains(info.path("status").asText())) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                JsonNode lastActive = info;
                s.execute("migrate_cancel", null);
                long cancelDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!FINAL.contains(info.path("status").asText()) && System.nanoTime() < cancelDeadline) {
                    Thread.sleep(250);
                    info = s.execute("query-migrate", null);
                }
                // A cancelled migration's query-migrate has no figures left: keep the last ones seen.
                ObjectNode out = lastActive.deepCopy();
                out.put("status", info.path("status").asText("cancelling"));
                return out;
            }
            Thread.sleep(250);
        }
    }

    private static ObjectNode obj() {
        return JSON.createObjectNode();
    }
}
