package io.lmadvisor.cli;

import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.registry.KafkaSchemaStore;
import io.lmadvisor.embedded.registry.RegistryHttpServer;
import io.lmadvisor.topics.Topics;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A standalone embedded broker, so agent, streams and backtest can run as separate processes against it. */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Run a real single-node Kafka broker (KRaft) for local use. Not for production.")
final class BrokerCommand implements Callable<Integer> {
    @Option(
            names = "--data-dir",
            description = "Keep the broker's data here across restarts (default: a temporary directory).")
    Path dataDir;

    @Option(
            names = "--port",
            defaultValue = "9092",
            description = "Listener port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description =
                    "Partitions of every lm.* topic it creates (default: each topic's own, as `topics create` makes them).")
    int partitions;

    @Option(names = "--no-topics", description = "Do not create the lm.* topics.")
    boolean noTopics;

    @Option(
            names = "--registry-port",
            defaultValue = "8081",
            description =
                    "Port of the local Schema Registry API on 127.0.0.1 (default: ${DEFAULT-VALUE}; -1 = none). "
                            + "It keeps schemas in the broker's compacted _schemas topic, so ids survive restarts with --data-dir.")
    int registryPort;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .port(port)
                .partitions(partitions > 0 ? partitions : Topics.VM_KEYED_PARTITIONS);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (EmbeddedKafkaBroker broker = builder.build().start();
                KafkaSchemaStore store = registryPort < 0
                        ? null
                        : KafkaSchemaStore.open(clientSettings(broker), Duration.ofSeconds(60));
                RegistryHttpServer registry = store == null
                        ? null
                        : new RegistryHttpServer(store.registry(), new InetSocketAddress("127.0.0.1", registryPort))
                                .start()) {
            if (registry != null) {
                System.out.println(
                        "lm-advisor broker: Schema Registry API on " + registry.url() + " (schemas kept in the "
                                + KafkaSchemaStore.TOPIC + " topic; " + store.restored() + " restored)");
            }
            if (!noTopics) {
                int created = TopicAdmin.createAll(broker.bootstrapServers(), partitions);
                System.out.println("lm-advisor broker: " + created + " lm.* topics created");
            }
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                if (registry != null) {
                                    registry.close();
                                    store.close();
                                }
                                broker.close();
                                stop.countDown();
                            },
                            "broker-shutdown"));
            System.out.println("lm-advisor broker: listening on " + broker.bootstrapServers() + " (data: "
                    + broker.dataDir() + "). Ctrl-C stops it.");
            stop.await();
        }
        return 0;
    }

    private static Map<String, Object> clientSettings(EmbeddedKafkaBroker broker) {
        Map<String, Object> client = new HashMap<>(broker.clientSecurityProperties());
        client.put("bootstrap.servers", broker.bootstrapServers());
        return client;
    }
}
