package io.lmadvisor.agent;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.metrics.AgentHttpServer;
import io.lmadvisor.agent.publish.JsonLinesOutput;
import io.lmadvisor.agent.publish.KafkaOutput;
import io.lmadvisor.agent.publish.KafkaPublisher;
import io.lmadvisor.agent.publish.SampleOutput;
import io.lmadvisor.agent.publish.SchemaIds;
import io.lmadvisor.agent.replay.ReplaySource;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdeConfig;
import io.lmadvisor.serde.AvroSerializer;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * One agent run, whatever the source: the output (Kafka through the disk spool, or JSON lines),
 * the optional metrics endpoint, the sampling loop, and a clean close on Ctrl-C/SIGTERM that
 * flushes what was taken. Status lines go to {@code status} (stderr in the CLI).
 */
public final class Agent {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final PublishSettings settings;
    private final PrintStream out;
    private final PrintStream status;

    public Agent(PublishSettings settings, PrintStream out, PrintStream status) {
        this.settings = settings;
        this.out = out;
        this.status = status;
    }

    /**
     * Samples {@code source} until the duration ends, the source is exhausted or the JVM is asked
     * to stop; closes the source. Returns 0, or 1 when records were dropped.
     */
    public int run(SampleSource source) throws Exception {
        AgentCounters counters = new AgentCounters();
        SampleOutput output = null;
        AgentHttpServer http = null;
        CountDownLatch closed = new CountDownLatch(1);
        AgentRunner[] runner = new AgentRunner[1];
        // SIGTERM/Ctrl-C: stop the loop, then keep the JVM alive until the output is flushed.
        Thread hook = new Thread(
                () -> {
                    if (runner[0] != null) {
                        runner[0].stop();
                    }
                    try {
                        closed.await(
                                CLOSE_TIMEOUT.toMillis()
                                        + settings.deliveryTimeout().toMillis()
                                        + 5_000,
                                TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (SampleSource src = source) {
            output = settings.dryRun() ? new JsonLinesOutput(out, counters) : kafkaOutput(counters);
            if (settings.metricsPort() != null) {
                http = new AgentHttpServer(
                                counters,
                                src.name(),
                                new InetSocketAddress(settings.metricsBind(), settings.metricsPort()))
                        .start();
                log("metrics on http://" + settings.metricsBind() + ":" + http.port() + "/metrics");
            }
            long tickMs = src instanceof ReplaySource r && r.unpaced() ? 0 : 1000;
            runner[0] = new AgentRunner(
                    src,
                    output,
                    counters,
                    new AgentRunner.Settings(tickMs, settings.duration(), settings.statusEvery()),
                    this::log);
            runner[0].run();
        } finally {
            try {
                if (output != null) {
                    output.close();
                }
                if (http != null) {
                    http.close();
                }
            } finally {
                log("done: " + counters.summary());
                if (counters.spoolRecords() > 0) {
                    log(counters.spoolRecords() + " records stay in the spool " + settings.effectiveSpoolDir()
                            + "; they are sent first on the next start");
                }
                // Last: on SIGTERM the JVM exits as soon as the hook stops waiting for this.
                closed.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and waits for 'closed'
                }
            }
        }
        return counters.dropped.get() == 0 ? 0 : 1;
    }

    private void log(String line) {
        status.println("lm-advisor agent: " + line);
    }

    private SampleOutput kafkaOutput(AgentCounters counters) {
        Map<String, Object> registry = ClientSettings.registry(settings.cluster());
        long deliveryTimeoutMs = settings.deliveryTimeout().toMillis();
        Map<String, Object> producerConfig =
                KafkaPublisher.producerConfig(settings.bootstrapServers(), settings.compression(), deliveryTimeoutMs);
        producerConfig.putAll(ClientSettings.kafkaConnection(settings.cluster()));
        long maxBytes = settings.spoolMaxBytes();
        DiskSpool spool =
                DiskSpool.open(settings.effectiveSpoolDir(), maxBytes, DiskSpool.defaultSegmentBytes(maxBytes));
        KafkaPublisher.Settings defaults = KafkaPublisher.Settings.defaults();
        // Samples never wait for the registry: placeholder ids now, real ids (cached) when sent.
        boolean autoRegister = !"false"
                .equalsIgnoreCase(String.valueOf(registry.get(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS))
                        .trim());
        SchemaIds schemaIds = new SchemaIds(SchemaRegistries.fromConfig(registry), autoRegister);
        KafkaPublisher publisher = new KafkaPublisher(
                () -> new KafkaProducer<>(producerConfig),
                spool,
                counters,
                new KafkaPublisher.Settings(
                        defaults.batchRecords(),
                        defaults.maxQueuedRecords(),
                        defaults.retryBackoffMs(),
                        deliveryTimeoutMs),
                schemaIds);
        return new KafkaOutput(
                new AvroSerializer<VmSample>(schemaIds.placeholders()),
                new AvroSerializer<HostSample>(schemaIds.placeholders()),
                Objects.requireNonNull(settings.vmTopic()),
                Objects.requireNonNull(settings.hostTopic()),
                publisher,
                spool,
                counters,
                CLOSE_TIMEOUT);
    }
}
