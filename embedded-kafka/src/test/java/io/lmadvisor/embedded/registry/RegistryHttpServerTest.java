package io.lmadvisor.embedded.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.httpserver.PortInUseException;
import io.lmadvisor.registry.IncompatibleSchemaException;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaNotFoundException;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.registry.SchemaRegistryException;
import io.lmadvisor.serde.AvroSerdes;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our REST client and serdes against our local registry server: separate processes can share schemas. */
class RegistryHttpServerTest {
    private RegistryHttpServer server;
    private SchemaRegistry client;

    @BeforeEach
    void start() throws Exception {
        server = new RegistryHttpServer(new MockSchemaRegistry(), new InetSocketAddress("127.0.0.1", 0)).start();
        client = SchemaRegistries.fromConfig(Map.of("schema.registry.url", server.url()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Schema record(boolean withRequiredField) {
        SchemaBuilder.FieldAssembler<Schema> f =
                SchemaBuilder.record("Thing").namespace("t").fields().requiredString("a");
        if (withRequiredField) {
            f = f.requiredLong("b");
        }
        return f.endRecord();
    }

    @Test
    void registerLookUpAndRejectAnIncompatibleVersion() {
        int id = client.register("things-value", record(false));
        assertEquals(record(false), client.getById(id));
        assertEquals(id, client.getIdFor("things-value", record(false)));
        assertFalse(client.testCompatibility("things-value", record(true)), "a new required field breaks BACKWARD");
        assertThrows(IncompatibleSchemaException.class, () -> client.register("things-value", record(true)));
        assertThrows(SchemaNotFoundException.class, () -> client.getById(999));
        client.setCompatibility("things-value", "NONE");
        assertEquals("NONE", client.getCompatibility("things-value"));
        assertTrue(client.register("things-value", record(true)) > id);
    }

    @Test
    void aRecordWrittenThroughTheServerIsReadBack() {
        Map<String, Object> config = Map.of("schema.registry.url", server.url());
        HostSample h = HostSample.newBuilder()
                .setHostId("h")
                .setTimestamp(Instant.parse("2026-01-01T00:00:00Z"))
                .setCpuCores(4)
                .setCpuAvailPercent(100)
                .setMemTotalMb(1024)
                .setMemAvailMb(512)
                .setMigrationLinkSpeedMBps(125)
                .setMigrationLinkAvailMBps(100)
                .build();
        byte[] bytes =
                AvroSerdes.of(HostSample.class, config, false).serializer().serialize("lm.host-samples", h);
        // A second client, as another process would have, reads it through the server.
        assertEquals(
                h, AvroSerdes.of(HostSample.class, config, false).deserializer().deserialize("lm.host-samples", bytes));
    }

    @Test
    void basicAuthIsRequiredWhenConfigured() throws Exception {
        try (RegistryHttpServer secured = new RegistryHttpServer(
                        new MockSchemaRegistry(), new InetSocketAddress("127.0.0.1", 0), "registry:reg-secret")
                .start()) {
            SchemaRegistry right = SchemaRegistries.fromConfig(
                    Map.of("schema.registry.url", secured.url(), "basic.auth.user.info", "registry:reg-secret"));
            int id = right.register("things-value", record(false));
            assertEquals(record(false), right.getById(id));
            for (Map<String, Object> wrong : java.util.List.<Map<String, Object>>of(
                    Map.of("schema.registry.url", secured.url()),
                    Map.of("schema.registry.url", secured.url(), "basic.auth.user.info", "registry:nope"))) {
                SchemaRegistryException e = assertThrows(
                        SchemaRegistryException.class,
                        () -> SchemaRegistries.fromConfig(wrong).getById(id));
                assertEquals(401, e.httpStatus(), e.getMessage());
                assertFalse(e.getMessage().contains("reg-secret"), e.getMessage());
            }
        }
    }

    private HttpResponse<String> http(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return new ObjectMapper().readTree(r.body());
    }

    private static String schemaBody(Schema s) {
        return new ObjectMapper().createObjectNode().put("schema", s.toString()).toString();
    }

    /** The Confluent endpoints common clients call, with Confluent's error codes. */
    @Test
    void confluentEndpointsAndErrorCodes() throws Exception {
        client.setCompatibility("things-value", "NONE");
        int v1 = client.register("things-value", record(false));
        int v2 = client.register("things-value", record(true));
        int other = client.register("others-value", record(false));
        assertEquals(v1, other, "one id per schema text, across subjects");

        JsonNode latest = json(http("GET", "/subjects/things-value/versions/latest", null));
        assertEquals(2, latest.get("version").asInt());
        assertEquals(v2, latest.get("id").asInt());
        assertEquals("things-value", latest.get("subject").asText());
        assertEquals(
                record(true), new Schema.Parser().parse(latest.get("schema").asText()));
        assertEquals(
                v1,
                json(http("GET", "/subjects/things-value/versions/1", null))
                        .get("id")
                        .asInt());
        assertEquals(
                v2,
                json(http("GET", "/subjects/things-value/versions/-1", null))
                        .get("id")
                        .asInt());
        assertEquals(
                record(true),
                new Schema.Parser()
                        .parse(http("GET", "/subjects/things-value/versions/2/schema", null)
                                .body()));
        assertEquals(
                "[1,2]", http("GET", "/subjects/things-value/versions", null).body());
        assertEquals(
                "[\"others-value\",\"things-value\"]",
                http("GET", "/subjects", null).body());
        assertEquals(
                "[{\"subject\":\"others-value\",\"version\":1},{\"subject\":\"things-value\",\"version\":1}]",
                http("GET", "/schemas/ids/" + v1 + "/versions", null).body());
        assertEquals(
                record(false),
                new Schema.Parser()
                        .parse(json(http("GET", "/schemas/ids/" + v1, null))
                                .get("schema")
                                .asText()));
        JsonNode lookup = json(http("POST", "/subjects/things-value", schemaBody(record(true))));
        assertEquals(v2, lookup.get("id").asInt());
        assertEquals(2, lookup.get("version").asInt());

        assertError(404, 40401, http("GET", "/subjects/nope-value/versions/latest", null));
        assertError(404, 40401, http("GET", "/subjects/nope-value/versions", null));
        assertError(404, 40402, http("GET", "/subjects/things-value/versions/3", null));
        assertError(422, 42202, http("GET", "/subjects/things-value/versions/zero", null));
        assertError(404, 40403, http("GET", "/schemas/ids/999", null));
        assertError(404, 40403, http("GET", "/schemas/ids/999/versions", null));
        assertError(
                404,
                40403,
                http(
                        "POST",
                        "/subjects/things-value",
                        schemaBody(SchemaBuilder.record("Other")
                                .fields()
                                .requiredInt("x")
                                .endRecord())));
        assertError(422, 42201, http("POST", "/subjects/things-value/versions", "{\"schema\":\"{not avro\"}"));
        assertError(422, 42203, http("PUT", "/config/things-value", "{\"compatibility\":\"SIDEWAYS\"}"));
        client.setCompatibility("things-value", "BACKWARD");
        assertError(
                409,
                409,
                http(
                        "POST",
                        "/subjects/things-value/versions",
                        schemaBody(SchemaBuilder.record("Thing")
                                .namespace("t")
                                .fields()
                                .requiredString("a")
                                .requiredLong("b")
                                .requiredInt("c")
                                .endRecord())));

        assertEquals(
                "BACKWARD",
                json(http("GET", "/config", null)).get("compatibilityLevel").asText());
        assertError(404, 40408, http("GET", "/config/others-value", null));
        assertEquals(
                "BACKWARD",
                json(http("GET", "/config/others-value?defaultToGlobal=true", null))
                        .get("compatibilityLevel")
                        .asText());
        assertEquals(
                true,
                json(http("POST", "/compatibility/subjects/things-value/versions/latest", schemaBody(record(true))))
                        .get("is_compatible")
                        .asBoolean());
    }

    private static void assertError(int status, int code, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, json(r).get("error_code").asInt(), r.body());
    }

    /** Today's failure: three half-open connections froze the registry. */
    @Test
    void answersWhileTwentyIdleAndHalfSentConnectionsStayOpen() throws Exception {
        int id = client.register("things-value", record(false));
        URI uri = URI.create(server.url());
        List<Socket> hogs = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                hogs.add(new Socket(uri.getHost(), uri.getPort()));
                Socket partial = new Socket(uri.getHost(), uri.getPort());
                partial.getOutputStream()
                        .write("POST /subjects/x/versions HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"sch"
                                .getBytes(StandardCharsets.US_ASCII));
                hogs.add(partial);
            }
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() -> assertEquals(
                            200, http("GET", "/schemas/ids/" + id, null).statusCode()));
        } finally {
            for (Socket h : hogs) {
                h.close();
            }
        }
    }

    @Test
    void aBusyRegistryPortIsOneSentenceNamingIt() {
        int port = URI.create(server.url()).getPort();
        PortInUseException e = assertThrows(
                PortInUseException.class,
                () -> new RegistryHttpServer(new MockSchemaRegistry(), new InetSocketAddress("127.0.0.1", port))
                        .start());
        assertTrue(
                e.getMessage().contains(String.valueOf(port)) && e.getMessage().contains("--registry-port"),
                e.getMessage());
    }
}
