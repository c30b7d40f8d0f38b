package io.lmadvisor.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/** Builds a {@link SchemaRegistry} from Kafka-style client properties. */
public final class SchemaRegistries {

    /** {@code mock://scope}, or a comma-separated list of http(s) URLs tried in turn. */
    public static final String URL_CONFIG = "schema.registry.url";
    /** {@code USER_INFO} (default: use {@link #USER_INFO_CONFIG}) or {@code URL}. */
    public static final String CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    /** {@code user:password} for HTTP basic auth. */
    public static final String USER_INFO_CONFIG = "basic.auth.user.info";

    public static final String CONNECT_TIMEOUT_MS_CONFIG = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
    public static final String MAX_RETRIES_CONFIG = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS_CONFIG = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "schema.registry.retry.backoff.max.ms";
    /** An {@link SSLContext} instance (not a string) for https registries with private CAs. */
    public static final String SSL_CONTEXT_CONFIG = "schema.registry.ssl.context";

    /** Trust store for https registries with a private CA (the Confluent client's key names). */
    public static final String TRUSTSTORE_LOCATION_CONFIG = "schema.registry.ssl.truststore.location";

    public static final String TRUSTSTORE_PASSWORD_CONFIG = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE_CONFIG = "schema.registry.ssl.truststore.type";
    /** Key store with this client's certificate, for registries that require mutual TLS. */
    public static final String KEYSTORE_LOCATION_CONFIG = "schema.registry.ssl.keystore.location";

    public static final String KEYSTORE_PASSWORD_CONFIG = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE_CONFIG = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD_CONFIG = "schema.registry.ssl.key.password";

    private SchemaRegistries() {}

    /**
     * Creates the registry named by {@link #URL_CONFIG}: the shared {@link MockSchemaRegistry} of
     * the scope for {@code mock://scope}, otherwise a {@link RestSchemaRegistryClient}.
     *
     * @throws ConfigException when the URL is missing or malformed, or a number does not parse
     */
    public static SchemaRegistry fromConfig(Map<String, ?> configs) {
        List<String> urls = urls(configs.get(URL_CONFIG));
        if (urls.isEmpty()) {
            throw new ConfigException("Missing required configuration \"" + URL_CONFIG + "\"");
        }
        long mocks = urls.stream()
                .filter(u -> u.startsWith(MockSchemaRegistry.URL_PREFIX))
                .count();
        if (mocks > 0) {
            if (urls.size() != 1) {
                throw new ConfigException(URL_CONFIG + " cannot mix mock:// with other URLs");
            }
            String scope = urls.get(0).substring(MockSchemaRegistry.URL_PREFIX.length());
            if (scope.isEmpty()) {
                throw new ConfigException(URL_CONFIG + " mock:// needs a scope name, e.g. mock://test");
            }
            return MockSchemaRegistry.forScope(scope);
        }

        RestSchemaRegistryClient.Builder b = RestSchemaRegistryClient.builder();
        try {
            b.urls(urls);
            String source =
                    string(configs.get(CREDENTIALS_SOURCE_CONFIG), "USER_INFO").toUpperCase(Locale.ROOT);
            if (source.equals("USER_INFO")) {
                String userInfo = string(configs.get(USER_INFO_CONFIG), null);
                if (userInfo != null && !userInfo.isEmpty()) {
                    b.basicAuthUserInfo(userInfo);
                }
            } else if (!source.equals("URL")) {
                throw new ConfigException(CREDENTIALS_SOURCE_CONFIG + " must be USER_INFO or URL");
            }
            Long connectMs = number(configs, CONNECT_TIMEOUT_MS_CONFIG);
            if (connectMs != null) {
                b.connectTimeout(Duration.ofMillis(connectMs));
            }
            Long requestMs = number(configs, REQUEST_TIMEOUT_MS_CONFIG);
            if (requestMs != null) {
                b.requestTimeout(Duration.ofMillis(requestMs));
            }
            Long retries = number(configs, MAX_RETRIES_CONFIG);
            if (retries != null) {
                b.maxRetries(Math.toIntExact(retries));
            }
            Long backoffMs = number(configs, RETRY_BACKOFF_MS_CONFIG);
            Long backoffMaxMs = number(configs, RETRY_BACKOFF_MAX_MS_CONFIG);
            if (backoffMs != null || backoffMaxMs != null) {
                long initial = backoffMs != null ? backoffMs : 100;
                long max = backoffMaxMs != null ? backoffMaxMs : Math.max(initial, 2000);
                b.retryBackoff(Duration.ofMillis(initial), Duration.ofMillis(max));
            }
            Object ssl = configs.get(SSL_CONTEXT_CONFIG);
            if (ssl != null) {
                if (!(ssl instanceof SSLContext)) {
                    throw new ConfigException(SSL_CONTEXT_CONFIG + " must be a javax.net.ssl.SSLContext");
                }
                b.sslContext((SSLContext) ssl);
            } else if (configs.get(TRUSTSTORE_LOCATION_CONFIG) != null
                    || configs.get(KEYSTORE_LOCATION_CONFIG) != null) {
                b.sslContext(sslContextFromStores(configs));
            }
            return b.build();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException("Invalid schema registry configuration: " + e.getMessage());
        }
    }

    private static SSLContext sslContextFromStores(Map<String, ?> configs) {
        try {
            TrustManager[] trust = null;
            KeyStore trustStore =
                    store(configs, TRUSTSTORE_LOCATION_CONFIG, TRUSTSTORE_PASSWORD_CONFIG, TRUSTSTORE_TYPE_CONFIG);
            if (trustStore != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            KeyStore keyStore =
                    store(configs, KEYSTORE_LOCATION_CONFIG, KEYSTORE_PASSWORD_CONFIG, KEYSTORE_TYPE_CONFIG);
            if (keyStore != null) {
                String keyPassword =
                        string(configs.get(KEY_PASSWORD_CONFIG), string(configs.get(KEYSTORE_PASSWORD_CONFIG), ""));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, keyPassword.toCharArray());
                keys = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("schema.registry.ssl.* stores cannot be used: " + e.getMessage());
        }
    }

    /** The store a location key names, or null; errors name the key, never the password. */
    private static KeyStore store(Map<String, ?> configs, String locationKey, String passwordKey, String typeKey)
            throws GeneralSecurityException {
        String location = string(configs.get(locationKey), null);
        if (location == null || location.isEmpty()) {
            return null;
        }
        String password = string(configs.get(passwordKey), null);
        KeyStore ks = KeyStore.getInstance(string(configs.get(typeKey), KeyStore.getDefaultType()));
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            ks.load(in, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            throw new ConfigException(locationKey, location, "cannot be read: " + e.getMessage());
        }
        return ks;
    }

    private static List<String> urls(Object value) {
        List<String> urls = new ArrayList<>();
        if (value instanceof Collection<?> c) {
            c.forEach(v -> split(String.valueOf(v), urls));
        } else if (value != null) {
            split(String.valueOf(value), urls);
        }
        return urls;
    }

    private static void split(String text, List<String> into) {
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                into.add(part.trim());
            }
        }
    }

    private static String string(Object value, String fallback) {
        if (value == null) {
            return fallback;
        }
        // Kafka's Password type hides its value from toString().
        if (value instanceof org.apache.kafka.common.config.types.Password p) {
            return p.value();
        }
        return String.valueOf(value).trim();
    }

    private static Long number(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "not a whole number");
        }
    }
}
