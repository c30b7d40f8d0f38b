package io.lmadvisor.serde;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** Serde configuration keys, named as in Confluent's serializers. */
public final class AvroSerdeConfig {

    /** See {@link io.lmadvisor.registry.SchemaRegistries#URL_CONFIG}. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Register the record's schema on first use (default true); false only looks its id up. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    private AvroSerdeConfig() {}

    /** Topic-name strategy: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key, value, "expected true or false");
    }
}
