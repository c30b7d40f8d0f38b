package io.lmadvisor.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistry} over the Confluent Schema Registry REST API, which Apicurio (ccompat),
 * Karapace and Redpanda also serve. Caches ids and schemas, retries 5xx answers and I/O failures
 * with exponential backoff while rotating through the configured URLs, and never retries 4xx.
 * Credentials are kept out of URLs, logs and exception messages.
 */
public final class RestSchemaRegistryClient implements SchemaRegistry {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> baseUrls;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    // Start with the URL that answered last, so one dead node costs a retry only once.
    private final AtomicInteger preferredUrl = new AtomicInteger();

    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    // Keyed by schema text: Schema.equals ignores docs, the registry does not.
    private final Map<String, Map<String, Integer>> idBySubjectAndText = new ConcurrentHashMap<>();

    private RestSchemaRegistryClient(Builder b) {
        if (b.urls.isEmpty()) {
            throw new IllegalArgumentException("at least one schema registry URL is required");
        }
        String userInfo = b.basicAuthUserInfo;
        List<String> urls = new ArrayList<>();
        for (String raw : b.urls) {
            URI uri = parseUrl(raw);
            if (userInfo == null && uri.getUserInfo() != null) {
                userInfo = uri.getUserInfo();
            }
            urls.add(withoutUserInfo(uri));
        }
        this.baseUrls = List.copyOf(urls);
        this.authorization = userInfo == null || userInfo.isEmpty()
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        HttpClient.Builder hb = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (b.sslContext != null) {
            hb.sslContext(b.sslContext);
        }
        this.http = hb.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Base URLs in failover order, without credentials. */
    public List<String> urls() {
        return baseUrls;
    }

    @Override
    public int register(String subject, Schema schema) {
        String text = schema.toString();
        Integer cached = cachedId(subject, text);
        if (cached != null) {
            return cached;
        }
        JsonNode response = send("POST", "/subjects/" + pathSegment(subject) + "/versions", Map.of("schema", text));
        int id = requireInt(response, "id");
        remember(subject, text, id, schema);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode response = send("GET", "/schemas/ids/" + id, null);
        String type = response.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new SchemaRegistryException(
                    "Schema " + id + " is " + type + ", not AVRO", 200, SchemaRegistryException.NONE);
        }
        if (response.path("references").size() > 0) {
            throw new SchemaRegistryException(
                    "Schema " + id + " uses schema references, which this" + " client does not resolve",
                    200,
                    SchemaRegistryException.NONE);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(requireText(response, "schema"));
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(
                    "Schema " + id + " from the registry does not parse: " + e.getMessage(),
                    200,
                    SchemaRegistryException.NONE,
                    e);
        }
        Schema previous = schemaById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    @Override
    public int getIdFor(String subject, Schema schema) {
        String text = schema.toString();
        Integer cached = cachedId(subject, text);
        if (cached != null) {
            return cached;
        }
        JsonNode response = send("POST", "/subjects/" + pathSegment(subject), Map.of("schema", text));
        int id = requireInt(response, "id");
        remember(subject, text, id, schema);
        return id;
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        try {
            JsonNode response = send(
                    "POST",
                    "/compatibility/subjects/" + pathSegment(subject) + "/versions/latest",
                    Map.of("schema", schema.toString()));
            JsonNode verdict = response.get("is_compatible");
            if (verdict == null || !verdict.isBoolean()) {
                throw unexpected("is_compatible", response);
            }
            return verdict.booleanValue();
        } catch (SubjectNotFoundException e) {
            return true; // nothing registered yet, so nothing to break
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public String getCompatibility(String subjectOrNullForGlobal) {
        if (subjectOrNullForGlobal != null) {
            try {
                return compatibilityOf(
                        send("GET", "/config/" + pathSegment(subjectOrNullForGlobal) + "?defaultToGlobal=true", null));
            } catch (SchemaRegistryException e) {
                // Registries that ignore defaultToGlobal answer "not configured" instead.
                if (e.errorCode() != SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED
                        && e.errorCode() != SchemaRegistryException.SUBJECT_NOT_FOUND) {
                    throw e;
                }
            }
        }
        return compatibilityOf(send("GET", "/config", null));
    }

    @Override
    public void setCompatibility(String subjectOrNullForGlobal, String level) {
        Objects.requireNonNull(level, "level");
        String path = subjectOrNullForGlobal == null ? "/config" : "/config/" + pathSegment(subjectOrNullForGlobal);
        send("PUT", path, Map.of("compatibility", level.toUpperCase(Locale.ROOT)));
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + baseUrls;
    }

    private Integer cachedId(String subject, String text) {
        Map<String, Integer> bySubject = idBySubjectAndText.get(subject);
        return bySubject == null ? null : bySubject.get(text);
    }

    private void remember(String subject, String text, int id, Schema schema) {
        idBySubjectAndText
                .computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .put(text, id);
        schemaById.putIfAbsent(id, schema);
    }

    private static String compatibilityOf(JsonNode response) {
        // Confluent answers GET with compatibilityLevel and PUT with compatibility; others vary.
        for (String key : List.of("compatibilityLevel", "compatibility")) {
            JsonNode value = response.get(key);
            if (value != null && value.isTextual()) {
                return value.asText();
            }
        }
        throw unexpected("compatibilityLevel", response);
    }

    private JsonNode send(String method, String pathAndQuery, Object body) {
        byte[] payload = null;
        if (body != null) {
            try {
                payload = JSON.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        int first = preferredUrl.get();
        SchemaRegistryException lastFailure = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            int index = Math.floorMod(first + attempt, baseUrls.size());
            String target = baseUrls.get(index) + pathAndQuery;
            if (attempt > 0) {
                pause(backoff(attempt), lastFailure);
            }
            try {
                HttpResponse<byte[]> response =
                        http.send(request(method, target, payload), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    preferredUrl.set(index);
                    return parseBody(response.body(), method, target);
                }
                SchemaRegistryException error = errorFrom(status, response.body(), method, target);
                if (status < 500) {
                    throw error;
                }
                lastFailure = error;
            } catch (IOException e) {
                lastFailure = new SchemaRegistryUnavailableException(
                        "Schema registry unreachable: " + method + " " + target + " failed after "
                                + (attempt + 1) + " attempt(s): " + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("Interrupted during " + method + " " + target, e);
            }
            if (attempt < maxRetries) {
                // DEBUG: the caller reports the final failure; a warning per attempt floods logs in an outage.
                log.debug(
                        "Schema registry call failed, will retry ({}/{}): {}",
                        attempt + 1,
                        maxRetries,
                        lastFailure.getMessage());
            }
        }
        throw lastFailure;
    }

    private HttpRequest request(String method, String target, byte[] payload) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(target))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT);
        if (authorization != null) {
            rb.header("Authorization", authorization);
        }
        if (payload != null) {
            rb.header("Content-Type", CONTENT_TYPE);
            rb.method(method, HttpRequest.BodyPublishers.ofByteArray(payload));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return rb.build();
    }

    private Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    private static void pause(Duration delay, SchemaRegistryException lastFailure) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException(
                    "Interrupted while waiting to retry: " + lastFailure.getMessage(), e);
        }
    }

    private static JsonNode parseBody(byte[] body, String method, String target) {
        if (body == null || body.length == 0) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new SchemaRegistryException(
                    "Unparseable response to " + method + " " + target + ": " + e.getMessage(),
                    200,
                    SchemaRegistryException.NONE,
                    e);
        }
    }

    private static SchemaRegistryException errorFrom(int status, byte[] body, String method, String target) {
        int code = status;
        String message = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode json = body == null || body.length == 0 ? null : JSON.readTree(body);
            if (json != null && json.isObject()) {
                code = json.path("error_code").asInt(status);
                message = json.path("message").asText(message);
            }
        } catch (IOException notJson) {
            // keep the raw text; proxies answer HTML
        }
        if (message.length() > 500) {
            message = message.substring(0, 500) + "...";
        }
        return SchemaRegistryException.of(
                status, code, method + " " + target + " -> HTTP " + status + " (" + code + "): " + message);
    }

    private static SchemaRegistryException unexpected(String field, JsonNode response) {
        return new SchemaRegistryException(
                "Unexpected registry response, no '" + field + "': " + response, 200, SchemaRegistryException.NONE);
    }

    private static int requireInt(JsonNode response, String field) {
        JsonNode value = response.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw unexpected(field, response);
        }
        return value.intValue();
    }

    private static String requireText(JsonNode response, String field) {
        JsonNode value = response.get(field);
        if (value == null || !value.isTextual()) {
            throw unexpected(field, response);
        }
        return value.asText();
    }

    private static URI parseUrl(String raw) {
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            // Message may contain the credentials, so do not echo the input.
            throw new IllegalArgumentException("Malformed schema registry URL (index " + e.getIndex() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "Schema registry URL must be http(s)://host[:port][/path]" + ", got scheme '" + scheme + "'");
        }
        return uri;
    }

    private static String withoutUserInfo(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost() + port + path;
    }

    /** Percent-encodes one path segment (RFC 3986 unreserved characters pass through). */
    static String pathSegment(String value) {
        Objects.requireNonNull(value, "subject");
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** Settings of a {@link RestSchemaRegistryClient}; defaults suit a registry on the LAN. */
    public static final class Builder {
        private final List<String> urls = new ArrayList<>();
        private String basicAuthUserInfo;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private SSLContext sslContext;

        private Builder() {}

        /** Adds a base URL; several URLs are tried in turn on failure. May carry user:password@. */
        public Builder url(String url) {
            urls.add(Objects.requireNonNull(url, "url"));
            return this;
        }

        public Builder urls(List<String> list) {
            list.forEach(this::url);
            return this;
        }

        /** HTTP basic credentials as {@code user:password}; overrides credentials in the URL. */
        public Builder basicAuthUserInfo(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Limit for one HTTP exchange, response body included. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** Extra attempts after the first for 5xx answers and I/O failures; 0 disables retrying. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0");
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** Wait before the first retry, doubled per retry up to {@code max}. */
        public Builder retryBackoff(Duration initial, Duration max) {
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("need 0 <= initial backoff <= max backoff");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        public RestSchemaRegistryClient build() {
            return new RestSchemaRegistryClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
