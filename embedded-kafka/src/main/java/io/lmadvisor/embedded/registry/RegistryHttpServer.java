package io.lmadvisor.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.lmadvisor.httpserver.BoundedHttpServer;
import io.lmadvisor.httpserver.HttpLimits;
import io.lmadvisor.registry.InvalidSchemaException;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaNotFoundException;
import io.lmadvisor.registry.SchemaRegistryException;
import io.lmadvisor.registry.SubjectNotFoundException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Schema Registry speaking the Confluent REST API (the endpoints the usual clients and
 * serializers call) over a {@link MockSchemaRegistry}: in memory, or durable when that registry
 * comes from a {@link KafkaSchemaStore}. Runs on the project's {@link BoundedHttpServer}, so idle
 * or slow clients cannot block it. For local use: optional HTTP basic auth (one user), no TLS,
 * no deletes.
 */
public final class RegistryHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final MockSchemaRegistry registry;
    private final byte[] expectedAuthorization;
    private final BoundedHttpServer server;

    public RegistryHttpServer(MockSchemaRegistry registry, InetSocketAddress bind) {
        this(registry, bind, null);
    }

    /** @param basicAuthUserInfo {@code user:password} every request must carry, or null for none */
    public RegistryHttpServer(MockSchemaRegistry registry, InetSocketAddress bind, String basicAuthUserInfo) {
        this(registry, bind, basicAuthUserInfo, HttpLimits.defaults());
    }

    public RegistryHttpServer(
            MockSchemaRegistry registry, InetSocketAddress bind, String basicAuthUserInfo, HttpLimits limits) {
        this.registry = registry;
        this.expectedAuthorization = basicAuthUserInfo == null
                ? null
                : ("Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8);
        this.server = BoundedHttpServer.create(
                "schema-registry-http", bind.getHostString(), bind.getPort(), "--registry-port", limits, this::routes);
    }

    /**
     * Starts listening.
     *
     * @throws io.lmadvisor.httpserver.PortInUseException naming the port when it is taken
     */
    public RegistryHttpServer start() {
        server.start();
        LOG.info("Schema Registry API on {}", url());
        return this;
    }

    public String url() {
        return "http://" + server.host() + ":" + server.port();
    }

    private void routes(JavalinConfig config) {
        var r = config.routes;
        config.http.prefer405over404 = true;
        r.before(this::authorise);
        r.get("/", ctx -> send(ctx, obj()));
        r.get("/schemas/types", ctx -> send(ctx, JSON.createArrayNode().add("AVRO")));
        r.get(
                "/schemas/ids/{id}",
                ctx -> send(ctx, obj().put("schema", schemaById(ctx).toString())));
        r.get("/schemas/ids/{id}/schema", ctx -> raw(ctx, schemaById(ctx)));
        r.get("/schemas/ids/{id}/versions", ctx -> send(ctx, usesOf(ctx, true)));
        r.get("/schemas/ids/{id}/subjects", ctx -> send(ctx, usesOf(ctx, false)));
        r.get("/subjects", ctx -> send(ctx, JSON.valueToTree(registry.subjects())));
        r.get("/subjects/{subject}/versions", ctx -> {
            int count = versions(ctx.pathParam("subject")).size();
            ArrayNode list = JSON.createArrayNode();
            for (int v = 1; v <= count; v++) {
                list.add(v);
            }
            send(ctx, list);
        });
        r.get("/subjects/{subject}/versions/{version}", ctx -> send(ctx, version(ctx)));
        r.get(
                "/subjects/{subject}/versions/{version}/schema",
                ctx -> raw(ctx, registry.getById(version(ctx).get("id").intValue())));
        r.post("/subjects/{subject}/versions", ctx -> {
            int id = registry.register(ctx.pathParam("subject"), schemaOf(ctx));
            send(ctx, obj().put("id", id));
        });
        r.post("/subjects/{subject}", ctx -> {
            String subject = ctx.pathParam("subject");
            Schema schema = schemaOf(ctx);
            int id = registry.getIdFor(subject, schema);
            int version = registry.versionIds(subject).indexOf(id) + 1;
            send(
                    ctx,
                    obj().put("subject", subject)
                            .put("id", id)
                            .put("version", version)
                            .put("schema", schema.toString()));
        });
        r.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> {
            String subject = ctx.pathParam("subject");
            if (!registry.versionIds(subject).isEmpty()) {
                version(ctx); // 40402 / 42202 for a version that does not exist
            }
            send(ctx, obj().put("is_compatible", registry.testCompatibility(subject, schemaOf(ctx))));
        });
        r.get("/config", ctx -> send(ctx, obj().put("compatibilityLevel", registry.getCompatibility(null))));
        r.put("/config", ctx -> send(ctx, obj().put("compatibility", setLevel(null, ctx))));
        r.get("/config/{subject}", ctx -> {
            String subject = ctx.pathParam("subject");
            String level = registry.configuredCompatibility(subject);
            if (level == null && !"true".equalsIgnoreCase(ctx.queryParam("defaultToGlobal"))) {
                throw new SchemaRegistryException(
                        "Subject '" + subject + "' does not have subject-level" + " compatibility configured",
                        404,
                        SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED);
            }
            send(ctx, obj().put("compatibilityLevel", level != null ? level : registry.getCompatibility(null)));
        });
        r.put(
                "/config/{subject}",
                ctx -> send(ctx, obj().put("compatibility", setLevel(ctx.pathParam("subject"), ctx))));
        r.get("/mode", ctx -> send(ctx, obj().put("mode", "READWRITE")));

        r.exception(SchemaRegistryException.class, (e, ctx) -> {
            int status = e.httpStatus() > 0 ? e.httpStatus() : 500;
            error(ctx, status, e.errorCode() > 0 ? e.errorCode() : status, e.getMessage());
        });
        r.exception(
                SchemaParseException.class,
                (e, ctx) ->
                        error(ctx, 422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage()));
        r.exception(IOException.class, (e, ctx) -> error(ctx, 400, 400, "Unreadable request body: " + e.getMessage()));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.warn("registry request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
            error(ctx, 500, KafkaSchemaStore.STORE_ERROR, "Error in the backend data store");
        });
        r.error(404, ctx -> {
            if (ctx.result() == null) {
                error(ctx, 404, 404, "HTTP 404 Not Found");
            }
        });
        r.error(405, ctx -> error(ctx, 405, 405, "HTTP 405 Method Not Allowed"));
    }

    private void authorise(Context ctx) {
        if (expectedAuthorization == null) {
            return;
        }
        String given = ctx.header("Authorization");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization)) {
            // Confluent's answer to missing or wrong credentials.
            throw new SchemaRegistryException("Unauthorized", 401, 401);
        }
    }

    private Schema schemaById(Context ctx) {
        return registry.getById(id(ctx));
    }

    private static int id(Context ctx) {
        try {
            return Integer.parseInt(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new SchemaNotFoundException("Schema " + ctx.pathParam("id") + " not found");
        }
    }

    /** {@code [{"subject":..,"version":..}]} or the subjects alone, for every use of an id. */
    private ArrayNode usesOf(Context ctx, boolean withVersion) {
        int id = id(ctx);
        registry.getById(id); // 40403 when unknown
        ArrayNode out = JSON.createArrayNode();
        for (String subject : registry.subjects()) {
            List<Integer> ids = registry.versionIds(subject);
            for (int i = 0; i < ids.size(); i++) {
                if (ids.get(i) == id) {
                    if (withVersion) {
                        out.add(obj().put("subject", subject).put("version", i + 1));
                    } else {
                        out.add(subject);
                        break;
                    }
                }
            }
        }
        return out;
    }

    private List<Integer> versions(String subject) {
        List<Integer> ids = registry.versionIds(subject);
        if (ids.isEmpty()) {
            throw new SubjectNotFoundException("Subject '" + subject + "' not found.");
        }
        return ids;
    }

    /** {@code {"subject","version","id","schema"}} of {version|latest|-1}. */
    private ObjectNode version(Context ctx) {
        String subject = ctx.pathParam("subject");
        String text = ctx.pathParam("version");
        List<Integer> ids = versions(subject);
        int version;
        if (text.equals("latest") || text.equals("-1")) {
            version = ids.size();
        } else {
            try {
                version = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                version = 0;
            }
            if (version < 1) {
                throw new SchemaRegistryException(
                        "The specified version '" + text + "' is not a valid"
                                + " version id. Allowed values are between [1, 2^31-1] and the string \"latest\"",
                        422,
                        SchemaRegistryException.INVALID_VERSION);
            }
            if (version > ids.size()) {
                throw new SchemaRegistryException(
                        "Version " + version + " not found.", 404, SchemaRegistryException.VERSION_NOT_FOUND);
            }
        }
        int id = ids.get(version - 1);
        return obj().put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", registry.getById(id).toString());
    }

    private String setLevel(String subject, Context ctx) throws IOException {
        registry.setCompatibility(subject, body(ctx).path("compatibility").asText(null));
        return subject == null ? registry.getCompatibility(null) : registry.configuredCompatibility(subject);
    }

    private static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    private static JsonNode body(Context ctx) throws IOException {
        byte[] bytes = ctx.bodyAsBytes();
        return bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
    }

    private static Schema schemaOf(Context ctx) throws IOException {
        JsonNode body = body(ctx);
        if (body == null || !body.hasNonNull("schema")) {
            throw new InvalidSchemaException("request has no schema");
        }
        if (body.hasNonNull("schemaType")
                && !"AVRO".equals(body.get("schemaType").asText())) {
            throw new InvalidSchemaException("only AVRO schemas are supported");
        }
        if (body.path("references").size() > 0) {
            throw new InvalidSchemaException("schema references are not supported");
        }
        return new Schema.Parser().parse(body.get("schema").asText());
    }

    private static void raw(Context ctx, Schema schema) {
        ctx.contentType(CONTENT_TYPE).result(schema.toString());
    }

    private static void error(Context ctx, int status, int code, String message) {
        ctx.status(status);
        send(ctx, obj().put("error_code", code).put("message", message));
    }

    private static void send(Context ctx, JsonNode body) {
        ctx.contentType(CONTENT_TYPE).result(body.toString());
    }

    @Override
    public void close() {
        server.close();
    }
}
