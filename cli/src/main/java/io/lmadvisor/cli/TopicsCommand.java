package io.lmadvisor.cli;

import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.topics.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Topic administration; {@code create} is what a deployment's init step runs. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Administer the lm.* topics.",
        subcommands = TopicsCommand.Create.class)
final class TopicsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description =
                    "Create every lm.* topic with its partitions and cleanup policy; existing topics are left alone.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--config", description = "Properties file: Kafka client settings (security included).")
        Path config;

        @Option(names = "--bootstrap-servers", description = "Overrides bootstrap.servers.")
        String bootstrapServers;

        @Option(
                names = "--partitions",
                defaultValue = "0",
                description = "Partitions of every topic (default: each topic's own, 6 for vmId-keyed ones).")
        int partitions;

        @Option(
                names = "--replication-factor",
                defaultValue = "-1",
                description = "Replicas per partition (default: the broker's default.replication.factor).")
        int replicationFactor;

        @Override
        public Integer call() throws Exception {
            Properties flags = new Properties();
            ClusterOptions.putIfSet(flags, AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            Properties merged = ClusterOptions.layer(config, List.of(), flags);
            LayeredConfig.required(merged, AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
            Map<String, Object> admin = new HashMap<>();
            // Only what an admin client understands: registry and lm.* keys would draw warnings.
            for (String k : merged.stringPropertyNames()) {
                if (AdminClientConfig.configNames().contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                    admin.put(k, merged.getProperty(k));
                }
            }
            TopicAdmin.Result result = TopicAdmin.createAll(admin, partitions, replicationFactor);
            for (NewTopic t : plan()) {
                System.out.println(t.name() + " partitions=" + t.numPartitions() + " " + t.configs());
            }
            System.out.println("lm-advisor topics: " + result.created() + " created, "
                    + (Topics.all().size() - result.created()) + " existed already");
            if (!result.differences().isEmpty()) {
                // Left alone, a wrong count or policy surfaces much later (lost policies, skewed partitions).
                throw new IllegalStateException("existing topics differ from what this version expects (change them or"
                        + " pass the --partitions they were made with): " + String.join("; ", result.differences()));
            }
            return 0;
        }

        List<NewTopic> plan() {
            return TopicAdmin.plan(partitions, replicationFactor);
        }
    }
}
