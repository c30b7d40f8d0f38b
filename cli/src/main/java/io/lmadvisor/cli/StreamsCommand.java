package io.lmadvisor.cli;

import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.deadletter.KafkaDeadLetterPublisher;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.serving.AdvisorHttpServer;
import org.apache.kafka.streams.state.HostInfo;
import java.net.InetSocketAddress;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Runs the advisor topology against any Kafka cluster and Schema Registry. */
@Command(name = "streams", mixinStandardHelpOptions = true,
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

    @Option(names = "--status-every", defaultValue = "30s", converter = DurationConverter.class,
            description = "How often to log a status line (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    @Override
    public Integer call() throws Exception {
        Properties flags = new Properties();
        ClusterOptions.putIfSet(flags, StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        ClusterOptions.putIfSet(flags, AdvisorConfig.MODEL_PATH, model == null ? null : model.toString());
        ClusterOptions.putIfSet(flags, AdvisorConfig.HTTP_PORT, httpPort == null ? null : httpPort.toString());
        AdvisorConfig cfg = cluster.load(flags);
        System.err.print("lm-advisor streams: configuration (secrets hidden):\n" + cfg.describe());

        ModelSource models = ModelSource.fileOrBundled(cfg.modelPath(), cfg.topK(), cfg.modelPollEvery(), cfg.modelLimits());
        AdvisorMetrics metrics = new AdvisorMetrics();
        AdvisorSerdes serdes = AdvisorSerdes.create(SchemaRegistries.fromConfig(cfg.registryConfig()), Clock.systemUTC(),
                cfg.maxClockSkew());
        CountDownLatch stopped = new CountDownLatch(1);
        Properties streamsProps = cfg.streamsProperties();
        try (models; KafkaDeadLetterPublisher deadLetters = new KafkaDeadLetterPublisher(streamsProps);
             KafkaStreams streams = new KafkaStreams(AdvisorTopology.buildTopology(cfg.settings(), serdes, models, metrics,
                     deadLetters, streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)), streamsProps)) {
            streams.setUncaughtExceptionHandler(e -> {
                System.err.println("lm-advisor streams: a stream thread failed and is replaced: " + e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.setStateListener((now, before) -> {
                System.err.println("lm-advisor streams: " + before + " -> " + now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    stopped.countDown();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                streams.close(Duration.ofSeconds(30));
                stopped.countDown();
            }, "streams-shutdown"));
            System.err.println("lm-advisor streams: application " + cfg.streamsProperties().getProperty(StreamsConfig.APPLICATION_ID_CONFIG)
                    + " on " + cfg.streamsProperties().getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + ", model " + models.get().modelVersion());
            streams.start();
            AdvisorHttpServer http = new AdvisorHttpServer(streams, new InetSocketAddress(cfg.httpBind(), cfg.httpPort()),
                    new HostInfo(cfg.httpAdvertisedHost(), cfg.httpPort()), () -> models.get().modelVersion(), metrics,
                    cfg.httpToken()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(http::close, "http-shutdown"));
            System.err.println("lm-advisor streams: HTTP on " + cfg.httpBind() + ":" + http.port()
                    + " (/vms/{id}, /vms?risk=TYPE, /hosts, /evaluation, /health, /metrics)" + (cfg.httpToken() != null ? ", bearer token required" : ""));
            while (!stopped.await(statusEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.printf("lm-advisor streams: %s, samples %d, profiles %d, recommendations %d, risk events %d, late %d, model %s%n",
                        streams.state(), metrics.samples.sum(), metrics.profiles.sum(), metrics.recommendations.sum(),
                        metrics.riskEvents.sum(), metrics.lateSamples.sum(), models.get().modelVersion());
            }
            return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
        }
    }
}
