package io.lmadvisor.cli;

import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.streams.AdvisorConfig;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;

/** Where the cluster and registry are: a properties file, LM_* environment variables, then these flags. */
final class ClusterOptions {
    @Option(names = "--config", description = "Properties file: Kafka client and Streams settings (security included), "
            + "schema.registry.*, lm.*.")
    Path config;

    @Option(names = "--bootstrap-servers", description = "Overrides bootstrap.servers.")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Overrides schema.registry.url.")
    String schemaRegistryUrl;

    /** The layered configuration; {@code flags} are the command's own overrides. */
    AdvisorConfig load(Properties flags) throws IOException {
        Properties given = config == null ? new Properties() : LayeredConfig.load(config);
        Properties all = new Properties();
        putIfSet(all, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        putIfSet(all, AdvisorConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        all.putAll(flags);
        return AdvisorConfig.layered(given, LmAdvisor.env(AdvisorConfig.KEYS), all);
    }

    static void putIfSet(Properties p, String key, String value) {
        if (value != null && !value.isBlank()) {
            p.setProperty(key, value);
        }
    }
}
