package io.lmadvisor.streams;

import org.apache.kafka.clients.CommonClientConfigs;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The part of the app's settings that every extra Kafka client (producer, consumer, admin) needs as is. */
public final class ClientConfigs {
    private ClientConfigs() {
    }

    /** {@code bootstrap.servers} and every security setting (security.*, ssl.*, sasl.*), unchanged. */
    public static Map<String, Object> connection(Properties appProperties) {
        Map<String, Object> config = new HashMap<>();
        for (String k : appProperties.stringPropertyNames()) {
            if (k.startsWith("security.") || k.startsWith("ssl.") || k.startsWith("sasl.")) {
                config.put(k, appProperties.getProperty(k));
            }
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                appProperties.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        return config;
    }
}
