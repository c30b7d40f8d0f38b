package io.lmadvisor.cli;

import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/** Creates the lm.* topics from {@link Topics#all()}; existing topics are left as they are. */
final class TopicAdmin {
    private TopicAdmin() {
    }

    /** @param partitionsOverride partitions for every topic, or 0 for each spec's default */
    static int createAll(String bootstrapServers, int partitionsOverride) throws InterruptedException {
        return createAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), partitionsOverride, -1);
    }

    /**
     * @param adminConfig        Kafka client settings, security included
     * @param partitionsOverride partitions for every topic, or 0 for each spec's default
     * @param replicationFactor  replicas per partition, or -1 for the broker's default
     * @return how many topics were created (the others existed)
     */
    static int createAll(Map<String, Object> adminConfig, int partitionsOverride, int replicationFactor)
            throws InterruptedException {
        int created = 0;
        try (Admin admin = Admin.create(adminConfig)) {
            for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(plan(partitionsOverride, replicationFactor))
                    .values().entrySet()) {
                try {
                    e.getValue().get();
                    created++;
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex.getCause());
                    }
                }
            }
        }
        return created;
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
