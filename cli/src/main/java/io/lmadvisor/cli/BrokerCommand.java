package io.lmadvisor.cli;

import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.RegistryHttpServer;
import io.lmadvisor.topics.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** A standalone embedded broker, so agent, streams and backtest can run as separate processes against it. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a real single-node Kafka broker (KRaft) for local use. Not for production.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Keep the broker's data here across restarts (default: a temporary directory).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "9092", description = "Listener port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Partitions of every lm.* topic it creates (default: each topic's own, as `topics create` makes them).")
    int partitions;

    @Option(names = "--no-topics", description = "Do not create the lm.* topics.")
    boolean noTopics;

    @Option(names = "--registry-port", defaultValue = "8081",
            description = "Port of the local Schema Registry API on 127.0.0.1 (default: ${DEFAULT-VALUE}; -1 = none).")
    int registryPort;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port)
                .partitions(partitions > 0 ? partitions : Topics.VM_KEYED_PARTITIONS);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (EmbeddedKafkaBroker broker = builder.build().start();
             RegistryHttpServer registry = registryPort < 0 ? null
                     : new RegistryHttpServer(new MockSchemaRegistry(), new InetSocketAddress("127.0.0.1", registryPort)).start()) {
            if (registry != null) {
                System.out.println("lm-advisor broker: Schema Registry API on " + registry.url()
                        + " (in memory: schemas last as long as this process)");
            }
            if (!noTopics) {
                int created = TopicAdmin.createAll(broker.bootstrapServers(), partitions);
                System.out.println("lm-advisor broker: " + created + " lm.* topics created");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (registry != null) {
                    registry.close();
                }
                broker.close();
                stop.countDown();
            }, "broker-shutdown"));
            System.out.println("lm-advisor broker: listening on " + broker.bootstrapServers()
                    + " (data: " + broker.dataDir() + "). Ctrl-C stops it.");
            stop.await();
        }
        return 0;
    }
}
