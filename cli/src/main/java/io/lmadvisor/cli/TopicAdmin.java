package io.lmadvisor.cli;

import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the lm.* topics from {@link Topics#all()}; existing topics are left as they are, and compared. */
final class TopicAdmin {
    private TopicAdmin() {}

    /** @param partitionsOverride partitions for every topic, or 0 for each spec's default */
    static int createAll(String bootstrapServers, int partitionsOverride) throws InterruptedException {
        return createAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), partitionsOverride, -1)
                .created();
    }

    /**
     * What {@link #createAll(Map, int, int)} did.
     *
     * @param created     how many topics were created
     * @param differences topics that existed already with other partitions or another cleanup policy than asked for
     */
    record Result(int created, List<String> differences) {}

    /**
     * @param adminConfig        Kafka client settings, security included
     * @param partitionsOverride partitions for every topic, or 0 for each spec's default
     * @param replicationFactor  replicas per partition, or -1 for the broker's default
     */
    static Result createAll(Map<String, Object> adminConfig, int partitionsOverride, int replicationFactor)
            throws InterruptedException {
        int created = 0;
        List<NewTopic> plan = plan(partitionsOverride, replicationFactor);
        List<NewTopic> existing = new ArrayList<>();
        try (Admin admin = Admin.create(adminConfig)) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(plan).values();
            for (NewTopic t : plan) {
                try {
                    results.get(t.name()).get();
                    created++;
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + t.name() + ": "
                                        + ex.getCause().getMessage(),
                                ex.getCause());
                    }
                    existing.add(t);
                }
            }
            return new Result(created, existing.isEmpty() ? List.of() : differences(admin, existing));
        }
    }

    private static List<String> differences(Admin admin, List<NewTopic> wanted) throws InterruptedException {
        List<String> names = wanted.stream().map(NewTopic::name).toList();
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                .toList();
        try {
            Map<String, TopicDescription> described =
                    admin.describeTopics(names).allTopicNames().get();
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(resources).all().get();
            List<String> out = new ArrayList<>();
            for (NewTopic t : wanted) {
                int partitions = described.get(t.name()).partitions().size();
                if (partitions != t.numPartitions()) {
                    out.add(t.name() + " has " + partitions + " partitions, not " + t.numPartitions());
                }
                String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                        .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                        .value();
                if (!policy.equals(t.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG))) {
                    out.add(t.name() + " has cleanup.policy=" + policy + ", not "
                            + t.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
                }
            }
            return out;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot describe the existing lm.* topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The topics {@link #createAll} asks for. */
    static List<NewTopic> plan(int partitionsOverride, int replicationFactor) {
        List<NewTopic> topics = new ArrayList<>();
        Optional<Short> replicas = replicationFactor > 0 ? Optional.of((short) replicationFactor) : Optional.empty();
        for (TopicSpec spec : Topics.all()) {
            int partitions = partitionsOverride > 0 ? partitionsOverride : spec.defaultPartitions();
            topics.add(new NewTopic(spec.name(), Optional.of(partitions), replicas).configs(spec.topicConfigs()));
        }
        return topics;
    }
}
