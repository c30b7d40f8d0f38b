package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.executor.ExecutorConfig;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdeConfig;
import io.lmadvisor.streams.AdvisorConfig;
import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/** docker-compose.yml checked against the code: services, topics, settings and commands must agree. */
class ComposeFileTest {
    private static final String IMAGE = "lm-advisor:local";
    private static final List<String> LONG_RUNNING =
            List.of("kafka", "schema-registry", "streams-1", "streams-2", "agent", "executor");

    private static Map<String, Map<String, Object>> services;
    private static Map<String, Object> compose;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        // Surefire runs in the module directory; the file sits at the repository root.
        Path file = Path.of("").toAbsolutePath().getParent().resolve("docker-compose.yml");
        try (Reader r = Files.newBufferedReader(file)) {
            compose = new Yaml().load(r); // resolves the file's anchors and << merge keys, as compose does
        }
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void theExpectedServicesExistWithPinnedImages() {
        assertTrue(
                services.keySet()
                        .containsAll(List.of(
                                "kafka", "schema-registry", "topics", "streams-1", "streams-2", "agent", "executor")),
                services.keySet().toString());
        assertTrue(String.valueOf(services.get("kafka").get("image")).matches("apache/kafka:4\\.\\d+\\.\\d+"));
        assertTrue(String.valueOf(services.get("schema-registry").get("image"))
                .matches("confluentinc/cp-schema-registry:[78]\\.\\d+\\.\\d+"));
        for (String s : List.of("topics", "streams-1", "streams-2", "agent", "executor")) {
            assertEquals(IMAGE, services.get(s).get("image"), s);
        }
    }

    @Test
    void prometheusScrapesTheAdvisorAndAgentAndGrafanaIsProvisionedWithTheDashboard() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(
                String.valueOf(services.get("prometheus").get("image")).matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+"));
        assertTrue(String.valueOf(services.get("grafana").get("image")).matches("grafana/grafana:\\d+\\.\\d+\\.\\d+"));
        String prometheus = java.nio.file.Files.readString(root.resolve("deploy/prometheus/prometheus.yml"));
        assertTrue(prometheus.contains("\"streams-1:8080\", \"streams-2:8080\""), prometheus);
        List<String> agent = command(services.get("agent"));
        assertTrue(prometheus.contains("\"agent:" + agent.get(agent.indexOf("--metrics-port") + 1) + "\""), prometheus);
        for (Object volume : (List<?>) services.get("grafana").get("volumes")) {
            String host = String.valueOf(volume).split(":")[0];
            if (host.startsWith("./")) {
                assertTrue(java.nio.file.Files.exists(root.resolve(host.substring(2))), "grafana mounts " + host);
            }
        }
    }

    @Test
    void everyImageCommandIsAValidSubcommand() {
        for (Map.Entry<String, Map<String, Object>> s : ourServices().entrySet()) {
            CommandLine.ParseResult parsed =
                    LmAdvisor.commandLine().parseArgs(command(s.getValue()).toArray(String[]::new));
            assertTrue(parsed.hasSubcommand(), s.getKey() + " runs a subcommand");
        }
        assertEquals("streams", command(services.get("streams-1")).get(0));
        assertEquals("streams", command(services.get("streams-2")).get(0));
        assertEquals("agent", command(services.get("agent")).get(0));
        assertEquals("executor", command(services.get("executor")).get(0));
    }

    @Test
    void theInitServiceCreatesEveryTopicWithTheCodesPartitionsAndCleanupPolicy() {
        List<String> cmd = command(services.get("topics"));
        CommandLine cli = LmAdvisor.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs(cmd.toArray(String[]::new));
        CommandLine.ParseResult create = parsed.subcommand().subcommand();
        assertNotNull(create, "topics runs 'topics create': " + cmd);
        TopicsCommand.Create command = create.commandSpec().commandLine().getCommand();
        Map<String, NewTopic> planned = command.plan().stream().collect(Collectors.toMap(NewTopic::name, t -> t));
        assertEquals(Topics.all().size(), planned.size());
        for (TopicSpec spec : Topics.all()) {
            NewTopic t = planned.get(spec.name());
            assertNotNull(t, spec.name());
            assertEquals(spec.defaultPartitions(), t.numPartitions(), spec.name());
            assertEquals(spec.compacted() ? "compact" : "delete", t.configs().get("cleanup.policy"), spec.name());
        }
        assertEquals("no", String.valueOf(services.get("topics").get("restart")), "a one-shot service");
        for (String s : List.of("streams-1", "streams-2", "agent", "executor")) {
            assertEquals("service_completed_successfully", condition(s, "topics"), s + " waits for the topics");
        }
        assertEquals(
                "false",
                String.valueOf(env(services.get("kafka")).get("KAFKA_AUTO_CREATE_TOPICS_ENABLE")),
                "no topic may appear with the broker's defaults");
    }

    @Test
    void everyLmVariableIsOneTheCommandReads() {
        Set<String> client = new HashSet<>(ProducerConfig.configNames());
        client.addAll(ConsumerConfig.configNames());
        client.addAll(List.of(
                SchemaRegistries.URL_CONFIG,
                SchemaRegistries.USER_INFO_CONFIG,
                SchemaRegistries.CREDENTIALS_SOURCE_CONFIG,
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS));
        Set<String> streams = new HashSet<>(client);
        streams.addAll(StreamsConfig.configDef().names());
        streams.addAll(AdvisorConfig.KEYS);
        Set<String> executor = new HashSet<>(client);
        executor.addAll(ExecutorConfig.KEYS);
        Map<String, Set<String>> readBy = Map.of(
                "streams", streams, "executor", executor, "topics", AdminClientConfig.configNames(), "agent", Set.of());
        Map<String, List<String>> ownKeys = Map.of(
                "streams",
                AdvisorConfig.KEYS,
                "executor",
                ExecutorConfig.KEYS,
                "topics",
                List.of(),
                "agent",
                List.of());
        for (Map.Entry<String, Map<String, Object>> s : ourServices().entrySet()) {
            String subcommand = command(s.getValue()).get(0);
            assertTrue(readBy.containsKey(subcommand), "known settings of " + subcommand);
            for (String name : env(s.getValue()).keySet()) {
                if (!name.startsWith(LayeredConfig.ENV_PREFIX)) {
                    continue;
                }
                String key = LayeredConfig.keyForEnv(name, ownKeys.get(subcommand));
                assertTrue(
                        readBy.get(subcommand).contains(key),
                        s.getKey() + ": " + name + " (" + key + ") is not a setting '" + subcommand + "' reads");
            }
        }
    }

    @Test
    void everyAppServiceReachesTheBrokerAndRegistryByTheirServiceNames() {
        String advertised = String.valueOf(env(services.get("kafka")).get("KAFKA_ADVERTISED_LISTENERS"));
        String registryListener =
                String.valueOf(env(services.get("schema-registry")).get("SCHEMA_REGISTRY_LISTENERS"));
        String registryPort = registryListener.substring(registryListener.lastIndexOf(':') + 1);
        for (Map.Entry<String, Map<String, Object>> s : ourServices().entrySet()) {
            Map<String, String> e = env(s.getValue());
            List<String> cmd = command(s.getValue());
            String bootstrap = e.getOrDefault("LM_BOOTSTRAP_SERVERS", flag(cmd, "--bootstrap-servers"));
            assertNotNull(bootstrap, s.getKey() + " sets bootstrap.servers");
            assertTrue(
                    advertised.contains("//" + bootstrap),
                    s.getKey() + ": " + bootstrap + " is an advertised listener");
            if (!cmd.get(0).equals("topics")) {
                String registry = e.getOrDefault("LM_SCHEMA_REGISTRY_URL", flag(cmd, "--schema-registry-url"));
                assertEquals("http://schema-registry:" + registryPort, registry, s.getKey());
            }
        }
    }

    @Test
    void twoStreamsInstancesShareTheWorkButNotTheirState() {
        Map<String, String> a = env(services.get("streams-1"));
        Map<String, String> b = env(services.get("streams-2"));
        assertEquals(
                a.get("LM_APPLICATION_ID"),
                b.get("LM_APPLICATION_ID"),
                "one application id: they split the partitions");
        assertNotEquals(a.get("LM_HTTP_ADVERTISED_HOST"), b.get("LM_HTTP_ADVERTISED_HOST"));
        for (String s : List.of("streams-1", "streams-2")) {
            assertEquals(s, services.get(s).get("hostname"), "advertised host resolves to the instance");
            assertEquals(s, env(services.get(s)).get("LM_HTTP_ADVERTISED_HOST"));
        }
        assertNotEquals(
                services.get("streams-1").get("volumes"),
                services.get("streams-2").get("volumes"));
        long instances = ourServices().values().stream()
                .filter(s -> command(s).get(0).equals("streams"))
                .count();
        assertTrue(instances <= Topics.VM_KEYED_PARTITIONS, "an instance beyond the partition count would idle");
    }

    @Test
    @SuppressWarnings("unchecked")
    void longRunningServicesHaveHealthChecksNamedVolumesAndLoopbackPorts() {
        for (String s : LONG_RUNNING) {
            Map<String, Object> hc = (Map<String, Object>) services.get(s).get("healthcheck");
            assertNotNull(hc, s + " has a health check");
            assertFalse(String.valueOf(hc.get("test")).isBlank(), s);
        }
        for (String s : List.of("streams-1", "streams-2")) {
            String test = String.valueOf(((Map<String, Object>) services.get(s).get("healthcheck")).get("test"));
            assertTrue(test.contains("/health"), s + " checks /health: " + test);
        }
        assertEquals("service_healthy", condition("schema-registry", "kafka"));
        assertEquals("service_healthy", condition("topics", "kafka"));
        Set<String> declared = ((Map<String, Object>) compose.get("volumes")).keySet();
        assertTrue(
                declared.containsAll(List.of("kafka-data", "streams-1-state", "streams-2-state")), declared.toString());
        for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
            for (Object v : (List<Object>) s.getValue().getOrDefault("volumes", List.of())) {
                String source = String.valueOf(v).split(":")[0];
                // Besides named volumes, only read-only configuration from deploy/ (Prometheus, Grafana).
                boolean config =
                        source.startsWith("./deploy/") && String.valueOf(v).endsWith(":ro");
                assertTrue(declared.contains(source) || config, s.getKey() + " mounts a named volume, not " + source);
            }
            for (Object port : (List<Object>) s.getValue().getOrDefault("ports", List.of())) {
                assertTrue(
                        String.valueOf(port).startsWith("127.0.0.1:"), s.getKey() + " publishes on loopback: " + port);
            }
        }
    }

    // ---- helpers ----

    private static Map<String, Map<String, Object>> ourServices() {
        Map<String, Map<String, Object>> ours = new TreeMap<>();
        services.forEach((name, s) -> {
            if (IMAGE.equals(s.get("image"))) {
                ours.put(name, s);
            }
        });
        return ours;
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(Map<String, Object> service) {
        List<String> out = new ArrayList<>();
        ((List<Object>) service.get("command")).forEach(o -> out.add(String.valueOf(o)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(Map<String, Object> service) {
        Map<String, String> out = new HashMap<>();
        Object e = service.get("environment");
        if (e instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String condition(String service, String dependency) {
        Map<String, Object> deps = (Map<String, Object>) services.get(service).get("depends_on");
        Map<String, Object> d = deps == null ? null : (Map<String, Object>) deps.get(dependency);
        return d == null ? null : String.valueOf(d.get("condition"));
    }

    private static String flag(List<String> cmd, String name) {
        int i = cmd.indexOf(name);
        return i < 0 || i + 1 >= cmd.size() ? null : cmd.get(i + 1);
    }
}
