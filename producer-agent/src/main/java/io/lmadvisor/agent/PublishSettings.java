package io.lmadvisor.agent;

import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Properties;

/**
 * How the agent publishes, whatever the source: to Kafka (cluster and registry settings as layered
 * properties) or, with {@code dryRun}, as JSON lines on stdout; plus the run's length, status
 * interval, spool and metrics endpoint. Checked by the CLI before it gets here.
 *
 * @param cluster bootstrap.servers, schema.registry.url and pass-through client/security settings
 * @param duration null runs until stopped (or the end of a replay)
 * @param spoolDir null means {@link #defaultSpoolDir()}
 * @param metricsPort null serves no metrics; 0 picks a free port
 */
public record PublishSettings(
        boolean dryRun,
        Duration duration,
        Duration statusEvery,
        Properties cluster,
        String compression,
        Duration deliveryTimeout,
        Path spoolDir,
        long spoolMaxBytes,
        String vmTopic,
        String hostTopic,
        Integer metricsPort,
        String metricsBind) {

    public static final String DEFAULT_COMPRESSION = "lz4";
    public static final String DEFAULT_DELIVERY_TIMEOUT = "8s";
    public static final String DEFAULT_SPOOL_MAX_BYTES = "256m";
    public static final String DEFAULT_VM_TOPIC = Topics.VM_SAMPLES;
    public static final String DEFAULT_HOST_TOPIC = Topics.HOST_SAMPLES;

    public String bootstrapServers() {
        return cluster.getProperty("bootstrap.servers");
    }

    public String schemaRegistryUrl() {
        return cluster.getProperty("schema.registry.url");
    }

    /** The spool folder: {@code spoolDir}, else ~/.lm-advisor/agent-spool. */
    public Path effectiveSpoolDir() {
        return spoolDir != null ? spoolDir : defaultSpoolDir();
    }

    public static Path defaultSpoolDir() {
        String home = System.getProperty("user.home");
        return home == null || home.isBlank()
                ? Paths.get("lm-agent-spool")
                : Paths.get(home, ".lm-advisor", "agent-spool");
    }
}
