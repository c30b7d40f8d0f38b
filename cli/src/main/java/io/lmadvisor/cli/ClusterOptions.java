package io.lmadvisor.cli;

import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.streams.AdvisorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Option;

/** Where the cluster and registry are: a properties file, LM_* environment variables, then these flags. */
final class ClusterOptions {
    @Option(
            names = "--config",
            description = "Properties file: Kafka client and Streams settings (security included), "
                    + "schema.registry.*, lm.*.")
    Path config;

    @Option(names = "--bootstrap-servers", description = "Overrides bootstrap.servers.")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Overrides schema.registry.url.")
    String schemaRegistryUrl;

    /** The advisor's layered configuration; {@code flags} are the command's own overrides. */
    AdvisorConfig load(Properties flags) throws IOException {
        return new AdvisorConfig(layered(AdvisorConfig.KEYS, flags));
    }

    /** File, then LM_* variables for {@code ownKeys} and pass-through settings, then these flags and {@code flags}. */
    Properties layered(List<String> ownKeys, Properties flags) throws IOException {
        Properties all = new Properties();
        putIfSet(all, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        putIfSet(all, AdvisorConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        all.putAll(flags);
        return layer(config, ownKeys, all);
    }

    /** The one layering every command uses: {@code file} (may be null), LM_* variables, {@code flags}. */
    static Properties layer(Path file, List<String> ownKeys, Properties flags) throws IOException {
        return LayeredConfig.layer(
                file == null ? new Properties() : LayeredConfig.load(file), LmAdvisor.env(ownKeys), flags, ownKeys);
    }

    static void putIfSet(Properties p, String key, String value) {
        if (value != null && !value.isBlank()) {
            p.setProperty(key, value);
        }
    }
}
