package io.lmadvisor.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/**
 * {@code lm-advisor broker}, as its own process, makes the topics exactly as {@code topics create}
 * expects them: both read {@link Topics#all()}.
 */
class BrokerTopicsIT {
    @Test
    void topicsCreateAcceptsWhatTheBrokerCreated() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process broker = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        LmAdvisor.class.getName(),
                        "broker",
                        "--port",
                        String.valueOf(port),
                        "--registry-port",
                        "-1")
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(90))
                    .failFast("the broker exited: " + output, () -> !broker.isAlive())
                    .until(() -> output.stream().anyMatch(l -> l.contains("listening on")));
            String bootstrap = "127.0.0.1:" + port;

            StringWriter err = new StringWriter();
            int code = LmAdvisor.commandLine()
                    .setErr(new PrintWriter(err, true))
                    .execute("topics", "create", "--bootstrap-servers", bootstrap);
            assertEquals(0, code, err.toString());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Map<String, TopicDescription> topics = admin.describeTopics(
                                Topics.all().stream().map(TopicSpec::name).toList())
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                for (TopicSpec spec : Topics.all()) {
                    assertEquals(
                            spec.defaultPartitions(),
                            topics.get(spec.name()).partitions().size(),
                            spec.name());
                }
            }
        } finally {
            broker.destroy();
            if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }
}
