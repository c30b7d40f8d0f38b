package io.lmadvisor.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of every long-running command, layered as documented: a properties file, then
 * {@code LM_*} environment variables, then command-line flags. Kafka client and Schema Registry
 * keys pass through unchanged; a {@code kafka.} prefix is accepted and dropped
 * ({@code kafka.security.protocol} is {@code security.protocol}). Also hides secrets from
 * anything that prints a configuration.
 */
public final class LayeredConfig {

    /** {@code LM_} + the key in upper case with dots as underscores; {@code lm.} itself is dropped. */
    public static final String ENV_PREFIX = "LM_";

    public static final String KAFKA_PREFIX = "kafka.";
    /** What a secret's value is replaced with in printed configurations. */
    public static final String HIDDEN = "[hidden]";

    private static final Pattern URL_USER_INFO = Pattern.compile("(://)[^/@\\s,]+@");

    private LayeredConfig() {}

    /** Reads a properties file; the error names the file. */
    public static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IOException("cannot read --config " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    /**
     * File, then environment, then flags; later layers win.
     *
     * @param ownKeys the command's {@code lm.*} keys, so {@code LM_WINDOW_MS} finds {@code
     *     lm.window.ms}; other variables become plain (Kafka or registry) keys
     */
    public static Properties layer(
            Properties file, Map<String, String> env, Properties flags, Collection<String> ownKeys) {
        Properties merged = new Properties();
        putAll(merged, file);
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = keyForEnv(e.getKey(), ownKeys);
            if (key != null) {
                merged.setProperty(key, e.getValue());
            }
        }
        putAll(merged, flags);
        return merged;
    }

    /**
     * The environment without variables that name another command's {@code lm.*} setting: one
     * image or shell environment serves several commands, and {@code LM_HTTP_BIND} must not reach
     * the executor's Kafka clients as {@code http.bind}.
     */
    public static Map<String, String> forCommand(
            Map<String, String> env, Collection<String> ownKeys, Collection<String> productKeys) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            String key = keyForEnv(name, productKeys);
            if (key != null && (!productKeys.contains(key) || ownKeys.contains(key))) {
                out.put(name, value);
            }
        });
        return out;
    }

    /** The setting an environment variable names, or null when it does not start with LM_. */
    public static String keyForEnv(String name, Collection<String> ownKeys) {
        if (!name.startsWith(ENV_PREFIX) || name.length() == ENV_PREFIX.length()) {
            return null;
        }
        String key =
                name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        if (ownKeys.contains("lm." + key)) {
            return "lm." + key;
        }
        return withoutKafkaPrefix(key);
    }

    private static void putAll(Properties into, Properties from) {
        for (String k : from.stringPropertyNames()) {
            into.setProperty(withoutKafkaPrefix(k), from.getProperty(k));
        }
    }

    private static String withoutKafkaPrefix(String key) {
        return key.startsWith(KAFKA_PREFIX) ? key.substring(KAFKA_PREFIX.length()) : key;
    }

    /** The value of a required setting; fails naming it when missing or blank. */
    public static String required(Properties props, String key) {
        String v = props.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(key, v, "is required");
        }
        return v.trim();
    }

    /**
     * Whether a key holds a secret: passwords, JAAS configs (which embed passwords), tokens,
     * registry user info, private keys.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("jaas")
                || k.contains("user.info")
                || k.endsWith(".key");
    }

    /**
     * A sorted copy fit for logs and status pages: secrets replaced by {@link #HIDDEN}, and
     * credentials inside URLs ({@code https://user:pw@host}) too.
     */
    public static Map<String, String> redacted(Map<?, ?> config) {
        Map<String, String> out = new TreeMap<>();
        config.forEach((k, v) -> {
            String key = String.valueOf(k);
            String value = String.valueOf(v);
            out.put(key, isSecret(key) ? HIDDEN : URL_USER_INFO.matcher(value).replaceAll("$1" + HIDDEN + "@"));
        });
        return out;
    }

    /** One {@code key=value} per line, redacted, for a command's start-up log. */
    public static String describe(Map<?, ?> config) {
        StringBuilder sb = new StringBuilder();
        redacted(config)
                .forEach((k, v) ->
                        sb.append("  ").append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }
}
