package io.lmadvisor.streams;

import io.lmadvisor.streams.deadletter.DeadLetterHandler;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The advisor's settings: our own {@code lm.*} keys plus Kafka Streams and client settings, which
 * pass through unchanged (security included). Invalid values fail at start, naming the setting.
 */
public final class AdvisorConfig {
    public static final String WINDOW_MS = "lm.window.ms";
    public static final String GRACE_MS = "lm.grace.ms";
    public static final String TOP_K = "lm.destinations.top.k";
    public static final String SILENT_AFTER_WINDOWS = "lm.agent.silent.after.windows";
    public static final String MODEL_PATH = "lm.model.path";
    public static final String MODEL_POLL_MS = "lm.model.poll.ms";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

    public static final String DEFAULT_APPLICATION_ID = "lm-advisor";

    private final Properties props;

    public AdvisorConfig(Properties given) {
        props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
        props.putAll(given);
        require(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        require(SCHEMA_REGISTRY_URL);
        settings();
        topK();
        modelPollEvery();
    }

    private void require(String key) {
        String v = props.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(key, v, "is required");
        }
    }

    private long positiveLong(String key, long defaultValue, boolean zeroAllowed) {
        String v = props.getProperty(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || (n == 0 && !zeroAllowed)) {
                throw new ConfigException(key, v, zeroAllowed ? "must not be negative" : "must be positive");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }

    public AdvisorTopology.Settings settings() {
        AdvisorTopology.Settings d = AdvisorTopology.Settings.DEFAULTS;
        return new AdvisorTopology.Settings(
                Duration.ofMillis(positiveLong(WINDOW_MS, d.window().toMillis(), false)),
                Duration.ofMillis(positiveLong(GRACE_MS, d.grace().toMillis(), true)),
                (int) positiveLong(SILENT_AFTER_WINDOWS, d.silentAfterWindows(), false));
    }

    public int topK() {
        return (int) positiveLong(TOP_K, 3, false);
    }

    public Duration modelPollEvery() {
        return Duration.ofMillis(positiveLong(MODEL_POLL_MS, 5_000, true));
    }

    /** The model file, or null for the built-in model. */
    public Path modelPath() {
        String v = props.getProperty(MODEL_PATH);
        return v == null || v.isBlank() ? null : Path.of(v.trim());
    }

    /** Everything Kafka Streams and the serdes see. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.putAll(props);
        return p;
    }

    /** Settings for the registry client and serdes. */
    public Map<String, Object> registryConfig() {
        Map<String, Object> m = new HashMap<>();
        for (String k : props.stringPropertyNames()) {
            if (k.startsWith("schema.registry.") || k.startsWith("basic.auth.")) {
                m.put(k, props.getProperty(k));
            }
        }
        return m;
    }
}
