package io.lmadvisor.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * Answers like the Confluent Schema Registry REST API (JSON bodies, error_code/message), on
 * 127.0.0.1 with an ephemeral port. Scripted responses are served first, to inject failures.
 */
final class FakeConfluentRegistry implements AutoCloseable {

    record Recorded(String method, String path, String query, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern SCHEMA_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern COMPAT = Pattern.compile("/compatibility/subjects/([^/]+)/versions/latest");
    private static final Pattern SUBJECT_CONFIG = Pattern.compile("/config/([^/]+)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<Recorded> requests = new ArrayList<>();
    private final Deque<int[]> scriptedStatus = new ArrayDeque<>();
    private final Deque<String> scriptedBody = new ArrayDeque<>();
    private volatile long delayMillis;
    /** GET /config answers with this key; Confluent uses compatibilityLevel. */
    volatile String configResponseKey = "compatibilityLevel";

    private final Map<Integer, String> schemaTextById = new HashMap<>();
    private final Map<String, List<Integer>> idsBySubject = new HashMap<>();
    private String globalCompatibility = "BACKWARD";
    private final Map<String, String> subjectCompatibility = new HashMap<>();
    private int nextId = 1;

    FakeConfluentRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int requestCount() {
        return requestCount.get();
    }

    synchronized List<Recorded> requests() {
        return List.copyOf(requests);
    }

    synchronized Recorded lastRequest() {
        return requests.get(requests.size() - 1);
    }

    /** Next request gets this status and body instead of normal handling. */
    synchronized FakeConfluentRegistry script(int status, String body) {
        scriptedStatus.add(new int[] {status});
        scriptedBody.add(body);
        return this;
    }

    static String error(int code, String message) {
        return "{\"error_code\":" + code + ",\"message\":\"" + message + "\"}";
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    /** Registers directly, bypassing HTTP (and the request count). */
    synchronized int preload(String subject, Schema schema) {
        return registerText(subject, schema.toString());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            int status;
            String response;
            synchronized (this) {
                requestCount.incrementAndGet();
                requests.add(new Recorded(
                        exchange.getRequestMethod(), path, query, Map.copyOf(exchange.getRequestHeaders()), body));
                if (!scriptedStatus.isEmpty()) {
                    status = scriptedStatus.poll()[0];
                    response = scriptedBody.poll();
                } else {
                    String[] result = route(exchange.getRequestMethod(), path, body);
                    status = Integer.parseInt(result[0]);
                    response = result[1];
                }
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            // client gave up (timeout tests)
        }
    }

    private String[] route(String method, String path, String body) throws IOException {
        Matcher m;
        if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
            String text = JSON.readTree(body).path("schema").asText();
            Schema candidate;
            try {
                candidate = new Schema.Parser().parse(text);
            } catch (SchemaParseException e) {
                return reply(422, error(42201, "Invalid schema"));
            }
            String subject = decode(m.group(1));
            List<Integer> versions = idsBySubject.getOrDefault(subject, List.of());
            if (!versions.isEmpty() && !versions.contains(idOf(text)) && !compatibleWithLatest(subject, candidate)) {
                return reply(
                        409,
                        error(
                                409,
                                "Schema being registered is incompatible with an earlier" + " schema for subject \\\""
                                        + subject + "\\\""));
            }
            return reply(200, "{\"id\":" + registerText(subject, text) + "}");
        }
        if (method.equals("POST") && (m = COMPAT.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if (!idsBySubject.containsKey(subject)) {
                return reply(404, error(40401, "Subject '" + subject + "' not found."));
            }
            Schema candidate =
                    new Schema.Parser().parse(JSON.readTree(body).path("schema").asText());
            return reply(200, "{\"is_compatible\":" + compatibleWithLatest(subject, candidate) + "}");
        }
        if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            List<Integer> versions = idsBySubject.get(subject);
            if (versions == null) {
                return reply(404, error(40401, "Subject '" + subject + "' not found."));
            }
            String text = JSON.readTree(body).path("schema").asText();
            Integer id = idOf(text);
            if (id == null || !versions.contains(id)) {
                return reply(404, error(40403, "Schema not found"));
            }
            ObjectNode node = JSON.createObjectNode();
            node.put("subject", subject)
                    .put("id", id)
                    .put("version", versions.indexOf(id) + 1)
                    .put("schema", text);
            return reply(200, node.toString());
        }
        if (method.equals("GET") && (m = SCHEMA_ID.matcher(path)).matches()) {
            String text = schemaTextById.get(Integer.parseInt(m.group(1)));
            if (text == null) {
                return reply(404, error(40403, "Schema " + m.group(1) + " not found"));
            }
            return reply(200, JSON.createObjectNode().put("schema", text).toString());
        }
        if (path.equals("/config")) {
            if (method.equals("PUT")) {
                globalCompatibility = JSON.readTree(body).path("compatibility").asText();
                return reply(
                        200,
                        JSON.createObjectNode()
                                .put("compatibility", globalCompatibility)
                                .toString());
            }
            return reply(
                    200,
                    JSON.createObjectNode()
                            .put(configResponseKey, globalCompatibility)
                            .toString());
        }
        if ((m = SUBJECT_CONFIG.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if (method.equals("PUT")) {
                JsonNode level = JSON.readTree(body).path("compatibility");
                subjectCompatibility.put(subject, level.asText());
                return reply(
                        200,
                        JSON.createObjectNode()
                                .put("compatibility", level.asText())
                                .toString());
            }
            String level = subjectCompatibility.get(subject);
            if (level == null) {
                // Answers as if defaultToGlobal were unsupported, to exercise the client's fallback.
                return reply(
                        404,
                        error(40408, "Subject '" + subject + "' does not have subject-level compatibility configured"));
            }
            return reply(
                    200, JSON.createObjectNode().put(configResponseKey, level).toString());
        }
        return reply(404, error(404, "HTTP 404 Not Found"));
    }

    private boolean compatibleWithLatest(String subject, Schema candidate) {
        String level = subjectCompatibility.getOrDefault(subject, globalCompatibility);
        if (level.equals("NONE")) {
            return true;
        }
        List<Integer> versions = idsBySubject.get(subject);
        Schema latest = new Schema.Parser().parse(schemaTextById.get(versions.get(versions.size() - 1)));
        return SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest)
                        .getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private int registerText(String subject, String text) {
        Integer id = idOf(text);
        if (id == null) {
            id = nextId++;
            schemaTextById.put(id, text);
        }
        List<Integer> versions = idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    private Integer idOf(String text) {
        for (var e : schemaTextById.entrySet()) {
            if (e.getValue().equals(text)) {
                return e.getKey();
            }
        }
        return null;
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String[] reply(int status, String body) {
        return new String[] {Integer.toString(status), body};
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
