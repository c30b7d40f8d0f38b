package io.lmadvisor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.backtest.Backtest;
import io.lmadvisor.streams.backtest.BacktestReport;
import io.lmadvisor.streams.backtest.PolicyFile;
import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Replays a time range of the recorded samples through a model and scores it against the recorded outcomes. */
@Command(
        name = "backtest",
        mixinStandardHelpOptions = true,
        description = {
            "Replay lm.vm-samples and lm.host-samples between two times through a model, under a fresh "
                    + "application id and into lm.backtest.<run-id>.* topics, then print its accuracy on the recorded "
                    + "migration outcomes (CSV as 'model evaluate') and how its choices compare with what was done.",
            "The live application's topics and state are only read."
        })
final class BacktestCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(
            names = "--from",
            required = true,
            converter = TimeConverter.class,
            description = "Start of the range: ISO-8601 (2026-11-24T10:00:00Z) or now-DURATION (now-2h).")
    Instant from;

    @Option(
            names = "--to",
            required = true,
            converter = TimeConverter.class,
            description = "End of the range, same forms.")
    Instant to;

    @Option(names = "--model", required = true, description = "Model file to replay with (from 'model train').")
    Path model;

    @Option(
            names = "--policy",
            description = "SLA policies as JSON {vmId|default: {maxDowntimeMs: ...}}; "
                    + "default: the live lm.sla-policies as of --to.")
    Path policy;

    @Option(
            names = "--run-id",
            description = "Names the output topics lm.backtest.<run-id>.* (default: time and a random suffix).")
    String runId;

    @Option(
            names = "--timeout",
            defaultValue = "30m",
            converter = DurationConverter.class,
            description = "Longest wait for the replay (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--json",
            description = "Print one JSON document (evaluation rows and comparison) instead of CSV and text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AdvisorConfig cfg = cluster.load(new Properties());
        ModelArtifact artifact = ModelArtifact.load(model);
        String id = runId != null
                ? runId
                : DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.now()) + "-"
                        + UUID.randomUUID().toString().substring(0, 6);
        Backtest.Request request = new Backtest.Request(
                cfg, from, to, id, artifact, policy == null ? null : PolicyFile.read(policy), timeout);
        System.err.println(
                "lm-advisor backtest: run " + id + ", model " + artifact.versionId() + ", " + from + " .. " + to);
        Backtest backtest = new Backtest(request, m -> System.err.println("lm-advisor backtest: " + m));
        // SIGTERM or Ctrl-C: the replay closes within seconds and deletes its temporary state.
        Thread hook = new Thread(backtest::cancel, "backtest-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Backtest.Result result;
        try {
            result = backtest.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        BacktestReport report = result.report();
        if (json) {
            System.out.println(AvroJson.write(toJson(id, result)));
        } else {
            System.out.print(report.evaluation().toCsv());
            System.out.println();
            System.out.print(report.comparisonText());
        }
        System.err.println(
                "lm-advisor backtest: done; outputs kept on " + result.topics().of(Topics.MIGRATION_RECOMMENDATIONS)
                        + " and the other " + Backtest.TOPIC_PREFIX + id + ".* topics"
                        + (result.unreadableRecords() > 0
                                ? "; " + result.unreadableRecords() + " unreadable records skipped"
                                : ""));
        return 0;
    }

    private static ObjectNode toJson(String runId, Backtest.Result result) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        BacktestReport r = result.report();
        ObjectNode root = f.objectNode();
        root.put("runId", runId);
        root.put("applicationId", result.applicationId());
        root.put("model", r.evaluation().modelName());
        root.put("samplesReplayed", result.samplesReplayed());
        root.put("profiles", result.profiles());
        root.put("recommendations", result.recommendations());
        ArrayNode rows = root.putArray("evaluation");
        for (CellEvaluation c : r.evaluation().cells()) {
            ObjectNode row = rows.addObject();
            row.put("algorithm", c.algorithm().shortName());
            row.put("metric", c.target().name());
            row.put("gMRE", c.gMRE());
            row.put("gMAE", c.gMAE());
            row.put("medianRE", c.medianRE());
            row.put("p90RE", c.p90RE());
            row.put("n", c.n());
        }
        ObjectNode cmp = root.putObject("comparison");
        cmp.put("outcomes", r.outcomes());
        cmp.put("withoutProfile", r.withoutProfile());
        cmp.put("agreed", r.agreed());
        cmp.put("differed", r.differed());
        cmp.put("heldBack", r.heldBack());
        cmp.put("recordedViolations", r.recordedViolations());
        cmp.put("estimatedViolationsAvoided", r.violationsAvoided());
        cmp.put("estimatedViolationsIntroduced", r.violationsIntroduced());
        cmp.put("estimatedTotalTimeSavedMs", r.totalTimeSavedMs());
        cmp.put("estimatedTransferredBytesSaved", r.transferredBytesSaved());
        return root;
    }

    /** ISO-8601 instants, or {@code now-DURATION}. */
    static final class TimeConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("now")) {
                return Instant.now();
            }
            if (v.startsWith("now-")) {
                return Instant.now().minus(DurationConverter.parse(v.substring(4)));
            }
            try {
                return Instant.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is not a time: use 2026-11-24T10:00:00Z or now-2h");
            }
        }
    }
}
