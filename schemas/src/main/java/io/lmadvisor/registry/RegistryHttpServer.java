package io.lmadvisor.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lmadvisor.http.HttpResponses;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Schema Registry speaking the Confluent REST API (the subset our client and the usual
 * serializers use) over an in-process {@link MockSchemaRegistry}, so separate processes on one
 * machine (broker, agent, streams, backtest) share schemas. For development only: optional HTTP
 * basic auth (one user), no TLS, no persistence.
 */
public final class RegistryHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private final MockSchemaRegistry registry;
  private final HttpServer server;
  private final byte[] expectedAuthorization;

  public RegistryHttpServer(MockSchemaRegistry registry, InetSocketAddress bind) throws IOException {
    this(registry, bind, null);
  }

  /** @param basicAuthUserInfo {@code user:password} every request must carry, or null for none */
  public RegistryHttpServer(MockSchemaRegistry registry, InetSocketAddress bind,
      String basicAuthUserInfo) throws IOException {
    this.registry = registry;
    this.expectedAuthorization = basicAuthUserInfo == null ? null
        : ("Basic " + Base64.getEncoder().encodeToString(
            basicAuthUserInfo.getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
    this.server = HttpServer.create(bind, 0);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "schema-registry-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
  }

  public RegistryHttpServer start() {
    server.start();
    LOG.info("Schema Registry API on {}", url());
    return this;
  }

  public String url() {
    InetSocketAddress a = server.getAddress();
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      if (!authorised(ex)) {
        // Confluent's answer to missing or wrong credentials.
        error(ex, 401, 401, "Unauthorized");
        return;
      }
      String method = ex.getRequestMethod();
      String[] p = ex.getRequestURI().getRawPath().replaceAll("/+$", "").split("/");
      // p[0] is empty: the path starts with '/'.
      if (p.length == 4 && p[1].equals("schemas") && p[2].equals("ids") && method.equals("GET")) {
        Schema s = registry.getById(Integer.parseInt(p[3]));
        send(ex, 200, obj().put("schema", s.toString()));
      } else if (p.length == 2 && p[1].equals("subjects") && method.equals("GET")) {
        send(ex, 200, JSON.valueToTree(registry.subjects()));
      } else if (p.length == 4 && p[1].equals("subjects") && p[3].equals("versions") && method.equals("POST")) {
        int id = registry.register(decode(p[2]), schemaOf(ex));
        send(ex, 200, obj().put("id", id));
      } else if (p.length == 4 && p[1].equals("subjects") && p[3].equals("versions") && method.equals("GET")) {
        List<Integer> ids = registry.versionIds(decode(p[2]));
        if (ids.isEmpty()) {
          throw new SubjectNotFoundException("Subject '" + decode(p[2]) + "' not found.");
        }
        int[] versions = new int[ids.size()];
        for (int i = 0; i < versions.length; i++) {
          versions[i] = i + 1;
        }
        send(ex, 200, JSON.valueToTree(versions));
      } else if (p.length == 3 && p[1].equals("subjects") && method.equals("POST")) {
        String subject = decode(p[2]);
        Schema schema = schemaOf(ex);
        int id = registry.getIdFor(subject, schema);
        int version = registry.versionIds(subject).indexOf(id) + 1;
        send(ex, 200, obj().put("subject", subject).put("id", id).put("version", version).put("schema", schema.toString()));
      } else if (p.length == 6 && p[1].equals("compatibility") && p[2].equals("subjects") && method.equals("POST")) {
        boolean ok = registry.testCompatibility(decode(p[3]), schemaOf(ex));
        send(ex, 200, obj().put("is_compatible", ok));
      } else if (p.length >= 2 && p.length <= 3 && p[1].equals("config")) {
        String subject = p.length == 3 ? decode(p[2]) : null;
        if (method.equals("GET")) {
          send(ex, 200, obj().put("compatibilityLevel", registry.getCompatibility(subject)));
        } else if (method.equals("PUT")) {
          String level = body(ex).path("compatibility").asText();
          registry.setCompatibility(subject, level);
          send(ex, 200, obj().put("compatibility", registry.getCompatibility(subject)));
        } else {
          error(ex, 405, 405, "method not allowed");
        }
      } else {
        error(ex, 404, 404, "not found");
      }
    } catch (SchemaRegistryException e) {
      int status = e.httpStatus() > 0 ? e.httpStatus() : 500;
      error(ex, status, e.errorCode() > 0 ? e.errorCode() : status, e.getMessage());
    } catch (SchemaParseException | IllegalArgumentException e) {
      error(ex, 422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("registry request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      error(ex, 500, 50001, "Error in the backend data store");
    } finally {
      ex.close();
    }
  }

  private boolean authorised(HttpExchange ex) {
    if (expectedAuthorization == null) {
      return true;
    }
    String given = ex.getRequestHeaders().getFirst("Authorization");
    return given != null
        && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static ObjectNode obj() {
    return JSON.createObjectNode();
  }

  private static JsonNode body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      return JSON.readTree(in);
    }
  }

  private static Schema schemaOf(HttpExchange ex) throws IOException {
    JsonNode body = body(ex);
    if (body == null || !body.hasNonNull("schema")) {
      throw new InvalidSchemaException("request has no schema");
    }
    if (body.hasNonNull("schemaType") && !"AVRO".equals(body.get("schemaType").asText())) {
      throw new InvalidSchemaException("only AVRO schemas are supported");
    }
    return new Schema.Parser().parse(body.get("schema").asText());
  }

  private static void error(HttpExchange ex, int status, int code, String message) throws IOException {
    send(ex, status, obj().put("error_code", code).put("message", message));
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    HttpResponses.send(ex, status, CONTENT_TYPE, JSON.writeValueAsBytes(body));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
