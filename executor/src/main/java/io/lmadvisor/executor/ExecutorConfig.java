package io.lmadvisor.executor;

import io.lmadvisor.config.ConfigDefs;
import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.config.NumberRange;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

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

    /**
     * Our own settings with their types, defaults and ranges: the source of the README's rows for them (checked by
     * a test). The consumer group is Kafka's own {@code group.id} (default lm-executor).
     */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(
                    EXECUTE_FRACTION,
                    Type.DOUBLE,
                    ExecutorSettings.defaults().executeFraction(),
                    NumberRange.between(0, 1),
                    Importance.MEDIUM,
                    "Share of recommendations carried out.")
            .define(
                    OFF_POLICY_FRACTION,
                    Type.DOUBLE,
                    ExecutorSettings.defaults().offPolicyFraction(),
                    NumberRange.between(0, 1),
                    Importance.MEDIUM,
                    "Share of executed runs that use another algorithm than recommended.")
            .define(
                    SEED,
                    Type.LONG,
                    ExecutorSettings.defaults().seed(),
                    Importance.LOW,
                    "Seed of the executor's random choices.");

    /** Our own keys. */
    public static final List<String> KEYS = List.copyOf(DEFINITION.names());

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
        Map<String, Object> own = ConfigDefs.parse(DEFINITION, props);
        String group = props.getProperty(ConsumerConfig.GROUP_ID_CONFIG, ExecutorSettings.DEFAULT_GROUP_ID);
        if (group.isBlank()) {
            throw new ConfigException(ConsumerConfig.GROUP_ID_CONFIG, group, "must not be blank");
        }
        settings = new ExecutorSettings(
                (Double) own.get(EXECUTE_FRACTION),
                (Double) own.get(OFF_POLICY_FRACTION),
                (Long) own.get(SEED),
                group.trim());
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
}
