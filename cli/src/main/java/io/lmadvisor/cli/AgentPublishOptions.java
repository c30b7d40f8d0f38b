package io.lmadvisor.cli;

import io.lmadvisor.agent.PublishSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Flags every {@code agent} source shares: where and how samples are published, and the run's length. */
final class AgentPublishOptions {
    /** Producer compression codecs (Kafka's {@code compression.type}). */
    enum Compression {
        LZ4,
        ZSTD,
        GZIP,
        SNAPPY,
        NONE
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--dry-run",
            description = "Print one JSON sample per line on stdout instead of publishing; status goes to stderr.")
    boolean dryRun;

    Duration duration;
    Duration statusEvery;
    Duration deliveryTimeout;
    Integer metricsPort;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Stop after this long (default: until Ctrl-C, or the end of a replay).")
    void duration(Duration d) {
        duration = positive("--duration", d);
    }

    @Option(
            names = "--status-every",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How often to log counts (default: ${DEFAULT-VALUE}).")
    void statusEvery(Duration d) {
        statusEvery = positive("--status-every", d);
    }

    @Option(
            names = "--bootstrap-servers",
            description = "Kafka cluster (required unless --dry-run; or bootstrap.servers in --config).")
    String bootstrapServers;

    @Option(
            names = "--schema-registry-url",
            description = "Schema Registry (required unless --dry-run). "
                    + "Asked once per schema; while it is unreachable samples wait in the spool.")
    String schemaRegistryUrl;

    @Option(
            names = "--config",
            description = "Properties file: bootstrap.servers, schema.registry.url, and Kafka client "
                    + "and registry security settings (security.protocol, sasl.*, ssl.*, basic.auth.*), passed through unchanged; "
                    + "LM_* variables and the flags override it.")
    Path config;

    @Option(
            names = "--compression",
            defaultValue = PublishSettings.DEFAULT_COMPRESSION,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Compression compression;

    @Option(
            names = "--delivery-timeout",
            defaultValue = PublishSettings.DEFAULT_DELIVERY_TIMEOUT,
            converter = DurationConverter.class,
            description =
                    "How long a record may wait for the broker before it is spooled, at least 1s (default: ${DEFAULT-VALUE}).")
    void deliveryTimeout(Duration d) {
        if (d.toMillis() < 1_000) {
            throw new ParameterException(command.commandLine(), "--delivery-timeout must be at least 1s: " + d);
        }
        deliveryTimeout = d;
    }

    @Option(
            names = "--spool-dir",
            description =
                    "Where samples wait while the broker or the schema registry is unreachable (default: ~/.lm-advisor/agent-spool).")
    Path spoolDir;

    @Option(
            names = "--spool-max-bytes",
            defaultValue = PublishSettings.DEFAULT_SPOOL_MAX_BYTES,
            converter = ByteSizeConverter.class,
            description =
                    "Bound of the spool on disk; when full, the newest samples are dropped and counted (default: ${DEFAULT-VALUE}).")
    long spoolMaxBytes;

    @Option(
            names = "--vm-topic",
            defaultValue = PublishSettings.DEFAULT_VM_TOPIC,
            description = "Topic for VM samples (default: ${DEFAULT-VALUE}).")
    String vmTopic;

    @Option(
            names = "--host-topic",
            defaultValue = PublishSettings.DEFAULT_HOST_TOPIC,
            description = "Topic for host samples (default: ${DEFAULT-VALUE}).")
    String hostTopic;

    @Option(
            names = "--metrics-port",
            description = "Serve /metrics (Prometheus) and /health on this port (default: off; 0 picks a free port).")
    void metricsPort(Integer port) {
        if (port != null && (port < 0 || port > 65535)) {
            throw new ParameterException(command.commandLine(), "--metrics-port must be 0..65535: " + port);
        }
        metricsPort = port;
    }

    @Option(
            names = "--metrics-bind",
            defaultValue = "127.0.0.1",
            description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    private Duration positive(String flag, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new ParameterException(command.commandLine(), flag + " must be positive: " + d);
        }
        return d;
    }

    /**
     * The settings file and LM_* variables under the flags. The cluster may come from any layer, so
     * its presence is checked here, after layering, not by picocli.
     */
    PublishSettings settings() throws IOException {
        Properties flags = new Properties();
        ClusterOptions.putIfSet(flags, "bootstrap.servers", bootstrapServers);
        ClusterOptions.putIfSet(flags, "schema.registry.url", schemaRegistryUrl);
        Properties cluster = ClusterOptions.layer(config, List.of(), flags);
        PublishSettings s = new PublishSettings(
                dryRun,
                duration,
                statusEvery,
                cluster,
                compression.name().toLowerCase(Locale.ROOT),
                deliveryTimeout,
                spoolDir,
                spoolMaxBytes,
                vmTopic,
                hostTopic,
                metricsPort,
                metricsBind);
        if (!dryRun && (s.bootstrapServers() == null || s.schemaRegistryUrl() == null)) {
            throw new ParameterException(
                    command.commandLine(),
                    "--bootstrap-servers and --schema-registry-url are required unless --dry-run");
        }
        return s;
    }
}
