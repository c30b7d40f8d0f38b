package io.lmadvisor.cli;

import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.calibration.CalibrationService;
import io.lmadvisor.streams.calibration.CalibrationSettings;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the advisor topology against any Kafka cluster and Schema Registry. */
@Command(
        name = "streams",
        mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams advisor against a Kafka cluster and a Schema Registry.")
final class StreamsCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--application-id", description = "Overrides application.id (default lm-advisor).")
    String applicationId;

    @Option(names = "--model", description = "Model file; overrides lm.model.path. It is reloaded when it changes.")
    Path model;

    @Option(names = "--http-port", description = "Overrides lm.http.port (default 8080).")
    Integer httpPort;

    @Option(
            names = "--status-every",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "How often to log a status line, also while waiting for the broker (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    /** Continuous calibration when {@code lm.calibration.enabled}; null (nothing to close) otherwise. */
    private static CalibrationService calibration(AdvisorConfig cfg, ModelSource models) {
        CalibrationSettings settings = cfg.calibration();
        if (!settings.enabled()) {
            return null;
        }
        Properties props = cfg.streamsProperties();
        Map<String, Object> clients = ClientSettings.kafkaConnection(props);
        clients.put(
                ConsumerConfig.GROUP_ID_CONFIG,
                props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG, AdvisorConfig.DEFAULT_APPLICATION_ID)
                        + "-calibration");
        System.err.println("lm-advisor streams: continuous calibration on (" + AdvisorConfig.CALIBRATION_ENABLED
                + "): a challenger every " + settings.everyRows() + " rows of " + Topics.TRAINING_ROWS
                + ", decisions on "
                + Topics.MODEL_EVENTS);
        return new CalibrationService(
                        clients,
                        Topics.TRAINING_ROWS,
                        Topics.MODEL_EVENTS,
                        models,
                        models.artifact(),
                        settings,
                        CalibrationService.defaultTrainer(),
                        AvroSerdes.of(ModelEvent.class, SchemaRegistries.fromConfig(cfg.registryConfig()), false)
                                .serializer(),
                        line -> System.err.println("lm-advisor streams: " + line))
                .start();
    }

    @Override
    public Integer call() throws Exception {
        Properties flags = new Properties();
        ClusterOptions.putIfSet(flags, StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        ClusterOptions.putIfSet(flags, AdvisorConfig.MODEL_PATH, model == null ? null : model.toString());
        ClusterOptions.putIfSet(flags, AdvisorConfig.HTTP_PORT, httpPort == null ? null : httpPort.toString());
        AdvisorConfig cfg = cluster.load(flags);
        System.err.print("lm-advisor streams: configuration (secrets hidden):\n" + cfg.describe());

        ModelSource models =
                ModelSource.fileOrBundled(cfg.modelPath(), cfg.topK(), cfg.modelPollEvery(), cfg.modelLimits());
        AdvisorMetrics metrics = new AdvisorMetrics();
        AdvisorSerdes serdes = AdvisorSerdes.create(
                SchemaRegistries.fromConfig(cfg.registryConfig()), Clock.systemUTC(), cfg.maxClockSkew());
        Properties streamsProps = cfg.streamsProperties();
        try (models;
                AdvisorApplication app = AdvisorApplication.fromConfig(
                                cfg, serdes, models, metrics, () -> models.get().modelVersion())
                        .status(line -> System.err.println("lm-advisor streams: " + line), statusEvery, true)
                        .statusDetails(() -> "model " + models.get().modelVersion())
                        .build()) {
            app.closeOnShutdown();
            System.err.println(
                    "lm-advisor streams: application " + streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)
                            + " on " + streamsProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
                            + ", model " + models.get().modelVersion());
            app.start();
            System.err.println("lm-advisor streams: HTTP on " + cfg.httpBind() + ":" + app.httpPort()
                    + " (dashboard at /, /vms/{id}, /vms?risk=TYPE, /hosts, /evaluation, /health, /health/live, /health/ready, /metrics)"
                    + (cfg.httpToken() != null ? ", bearer token required" : ""));
            try (CalibrationService calibration = calibration(cfg, models)) {
                app.awaitStop();
            }
            return app.failed() ? 1 : 0;
        }
    }
}
