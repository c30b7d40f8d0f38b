package io.lmadvisor.config;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Parsing our own settings with a Kafka {@link ConfigDef}, with errors that say what a valid value is. */
public final class ConfigDefs {

    private ConfigDefs() {}

    /**
     * {@code definition.parse(props)}; a value of the wrong type fails with one sentence naming the setting and
     * what it must be (Kafka's own says only "Not a number of type DOUBLE").
     */
    public static Map<String, Object> parse(ConfigDef definition, Map<?, ?> props) {
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            Object value = props.get(key.name);
            if (value == null) {
                continue;
            }
            try {
                ConfigDef.parseType(key.name, value, key.type);
            } catch (ConfigException e) {
                throw new ConfigException(key.name, value, "must be " + expected(key));
            }
        }
        return definition.parse(props);
    }

    private static String expected(ConfigDef.ConfigKey key) {
        String range = key.validator == null ? "" : key.validator.toString();
        return switch (key.type) {
            case INT, LONG, SHORT -> "a whole number" + (range.isEmpty() ? "" : " in " + range);
            case BOOLEAN -> "true or false";
            case DOUBLE ->
                key.validator instanceof NumberRange ? range : "a number" + (range.isEmpty() ? "" : " in " + range);
            default ->
                "a " + key.type.name().toLowerCase(java.util.Locale.ROOT) + (range.isEmpty() ? "" : " in " + range);
        };
    }
}
