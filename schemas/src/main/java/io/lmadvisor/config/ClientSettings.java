package io.lmadvisor.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The parts of a command's settings that each extra client needs as they are: the Kafka connection
 * (security included) for producers, consumers and admins, and the Schema Registry settings for serdes.
 */
public final class ClientSettings {
    private ClientSettings() {}

    /** {@code bootstrap.servers} (when set) and every {@code security.*}, {@code ssl.*} and {@code sasl.*} setting. */
    public static Map<String, Object> kafkaConnection(Properties settings) {
        Map<String, Object> out = new HashMap<>();
        for (String k : settings.stringPropertyNames()) {
            if (k.equals("bootstrap.servers")
                    || k.startsWith("security.")
                    || k.startsWith("ssl.")
                    || k.startsWith("sasl.")) {
                out.put(k, settings.getProperty(k));
            }
        }
        return out;
    }

    /** Every {@code schema.registry.*} and {@code basic.auth.*} setting, for the registry client and serdes. */
    public static Map<String, Object> registry(Properties settings) {
        Map<String, Object> out = new HashMap<>();
        for (String k : settings.stringPropertyNames()) {
            if (k.startsWith("schema.registry.") || k.startsWith("basic.auth.")) {
                out.put(k, settings.getProperty(k));
            }
        }
        return out;
    }
}
