package io.lmadvisor.executor;

import io.lmadvisor.config.LayeredConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Settings of {@code lm-advisor executor}: our {@code lm.executor.*} keys plus Kafka client and Schema
 * Registry settings, which pass through unchanged (security included). Layered like the streams app's
 * (file, then {@code LM_*} environment, then flags); invalid values fail at start, naming the setting.
 */
public final class ExecutorConfig {
    public static final String EXECUTE_FRACTION = "lm.executor.execute.fraction";
    public static final String OFF_POLICY_FRACTION = "lm.executor.off.policy.fraction";
    public static final String SEED = "lm.executor.seed";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

    /** Our own keys; the consumer group is Kafka's own {@code group.id} (default lm-executor). */
    public static final List<String> KEYS = List.of(EXECUTE_FRACTION, OFF_POLICY_FRACTION, SEED);

    private final Properties props;
    private final ExecutorSettings settings;

    public static ExecutorConfig layered(Properties file, Map<String, String> env, Properties flags) {
        return new ExecutorConfig(LayeredConfig.layer(file, env, flags, KEYS));
    }

    public ExecutorConfig(Properties given) {
        props = new Properties();
        props.putAll(given);
        LayeredConfig.required(props, BOOTSTRAP_SERVERS);
        LayeredConfig.required(props, SCHEMA_REGISTRY_URL);
        ExecutorSettings d = ExecutorSettings.defaults();
        String group = props.getProperty(ConsumerConfig.GROUP_ID_CONFIG, ExecutorSettings.DEFAULT_GROUP_ID);
        if (group.isBlank()) {
            throw new ConfigException(ConsumerConfig.GROUP_ID_CONFIG, group, "must not be blank");
        }
        settings = new ExecutorSettings(fraction(EXECUTE_FRACTION, d.executeFraction()),
                fraction(OFF_POLICY_FRACTION, d.offPolicyFraction()), seed(d.seed()), group.trim());
    }

    public ExecutorSettings settings() {
        return settings;
    }

    /** Kafka client and registry settings for {@link MigrationExecutorRunner} (our lm.* keys stay out). */
    public Map<String, Object> clientConfigs() {
        Map<String, Object> m = new HashMap<>();
        for (String k : props.stringPropertyNames()) {
            if (!k.startsWith("lm.")) {
                m.put(k, props.getProperty(k));
            }
        }
        return m;
    }

    /** Every effective setting, secrets hidden, one per line: for the start-up log. */
    public String describe() {
        return LayeredConfig.describe(props);
    }

    private double fraction(String key, double defaultValue) {
        String v = props.getProperty(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            double f = Double.parseDouble(v.trim());
            if (f >= 0.0 && f <= 1.0) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key, v, "must be a number in [0, 1]");
    }

    private long seed(long defaultValue) {
        String v = props.getProperty(SEED);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(SEED, v, "must be a whole number");
        }
    }
}
