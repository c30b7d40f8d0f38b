package io.lmadvisor.cli;

import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec spec : Topics.all()) {
            int partitions = partitionsOverride > 0 ? partitionsOverride : spec.defaultPartitions();
            topics.add(new NewTopic(spec.name(), Optional.of(partitions), Optional.empty()).configs(spec.topicConfigs()));
        }
        int created = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : admin.createTopics(topics).values().entrySet()) {
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
}
