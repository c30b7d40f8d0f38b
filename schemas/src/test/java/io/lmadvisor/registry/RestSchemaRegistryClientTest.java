package io.lmadvisor.registry;

import static io.lmadvisor.registry.FakeConfluentRegistry.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {

    private static final String SUBJECT = "lm.vm-samples-value";
    private static final Schema V1 = SchemaBuilder.record("Thing")
            .namespace("t")
            .fields()
            .requiredString("id")
            .endRecord();
    private static final Schema V2_WITH_DEFAULT = SchemaBuilder.record("Thing")
            .namespace("t")
            .fields()
            .requiredString("id")
            .name("n")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();
    private static final Schema V2_REQUIRED = SchemaBuilder.record("Thing")
            .namespace("t")
            .fields()
            .requiredString("id")
            .requiredInt("n")
            .endRecord();

    private FakeConfluentRegistry fake;
    private RestSchemaRegistryClient client;

    @BeforeEach
    void start() throws IOException {
        fake = new FakeConfluentRegistry();
        client = clientFor(fake.url()).build();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private static RestSchemaRegistryClient.Builder clientFor(String... urls) {
        RestSchemaRegistryClient.Builder b = RestSchemaRegistryClient.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5))
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5));
        for (String url : urls) {
            b.url(url);
        }
        return b;
    }

    @Test
    void registerPostsSchemaWithConfluentContentTypeAndReturnsId() throws IOException {
        int id = client.register(SUBJECT, VmSample.getClassSchema());

        assertEquals(1, id);
        var request = fake.lastRequest();
        assertEquals("POST", request.method());
        assertEquals("/subjects/lm.vm-samples-value/versions", request.path());
        assertEquals(RestSchemaRegistryClient.CONTENT_TYPE, request.header("Content-Type"));
        String sent = new ObjectMapper().readTree(request.body()).get("schema").asText();
        assertEquals(VmSample.getClassSchema(), new Schema.Parser().parse(sent));
        assertNull(request.header("Authorization"));
    }

    @Test
    void registerIsCachedPerSubject() {
        int first = client.register(SUBJECT, V1);
        int second = client.register(SUBJECT, V1);
        int otherSubject = client.register("other-value", V1);

        assertEquals(first, second);
        assertEquals(first, otherSubject);
        assertEquals(2, fake.requestCount());
    }

    @Test
    void getByIdFetchesOnceThenServesFromCache() {
        int id = fake.preload(SUBJECT, HostSample.getClassSchema());

        Schema first = client.getById(id);
        Schema second = client.getById(id);

        assertEquals(HostSample.getClassSchema(), first);
        assertEquals(first, second);
        assertEquals(1, fake.requestCount());
        assertEquals("/schemas/ids/" + id, fake.lastRequest().path());
    }

    @Test
    void getByIdOfUnknownIdThrowsSchemaNotFound() {
        SchemaNotFoundException e = assertThrows(SchemaNotFoundException.class, () -> client.getById(42));
        assertEquals(404, e.httpStatus());
        assertEquals(40403, e.errorCode());
        assertFalse(e.isTransient());
    }

    @Test
    void lookupFindsRegisteredSchemaAndReportsMissingSubjectOrSchema() {
        int id = fake.preload(SUBJECT, V1);

        assertEquals(id, client.getIdFor(SUBJECT, V1));
        assertEquals("/subjects/lm.vm-samples-value", fake.lastRequest().path());

        SubjectNotFoundException noSubject =
                assertThrows(SubjectNotFoundException.class, () -> client.getIdFor("nope-value", V1));
        assertEquals(40401, noSubject.errorCode());
        SchemaNotFoundException noSchema =
                assertThrows(SchemaNotFoundException.class, () -> client.getIdFor(SUBJECT, V2_WITH_DEFAULT));
        assertEquals(40403, noSchema.errorCode());
    }

    @Test
    void incompatibleRegistrationThrows409() {
        client.register(SUBJECT, V1);
        IncompatibleSchemaException e =
                assertThrows(IncompatibleSchemaException.class, () -> client.register(SUBJECT, V2_REQUIRED));
        assertEquals(409, e.httpStatus());
        assertEquals(409, e.errorCode());
        assertTrue(e.getMessage().contains("incompatible"), e.getMessage());
        // A compatible evolution still goes through.
        assertNotEquals(client.getIdFor(SUBJECT, V1), client.register(SUBJECT, V2_WITH_DEFAULT));
    }

    @Test
    void invalidSchemaThrows42201() {
        fake.script(422, error(42201, "Invalid schema"));
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> client.register(SUBJECT, V1));
        assertEquals(422, e.httpStatus());
        assertEquals(42201, e.errorCode());
    }

    @Test
    void otherDocumentedErrorsKeepTheirCodes() {
        fake.script(422, error(42202, "Invalid version"));
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(SUBJECT, V1));
        assertEquals(SchemaRegistryException.class, e.getClass());
        assertEquals(42202, e.errorCode());

        fake.script(401, "<html>Unauthorized</html>");
        SchemaRegistryException unauthorized = assertThrows(SchemaRegistryException.class, () -> client.getById(1));
        assertEquals(401, unauthorized.httpStatus());
        assertEquals(401, unauthorized.errorCode());
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        RestSchemaRegistryClient retrying = clientFor(fake.url()).maxRetries(3).build();
        fake.script(503, error(50003, "Error while forwarding the request to the primary"));
        fake.script(500, error(50001, "Error in the backend data store"));

        assertEquals(1, retrying.register(SUBJECT, V1));
        assertEquals(3, fake.requestCount());
    }

    @Test
    void doesNotRetryClientErrors() {
        RestSchemaRegistryClient retrying = clientFor(fake.url()).maxRetries(3).build();
        assertThrows(SchemaNotFoundException.class, () -> retrying.getById(7));
        assertEquals(1, fake.requestCount());
    }

    @Test
    void givesUpAfterBoundedRetries() {
        RestSchemaRegistryClient retrying = clientFor(fake.url()).maxRetries(2).build();
        for (int i = 0; i < 10; i++) {
            fake.script(503, error(50003, "primary unavailable"));
        }
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> retrying.register(SUBJECT, V1));
        assertEquals(503, e.httpStatus());
        assertEquals(50003, e.errorCode());
        assertTrue(e.isTransient());
        assertEquals(3, fake.requestCount());
    }

    @Test
    void requestTimeoutNamesTheUrl() {
        // Generous margins: the point is that the timeout applies, not how precisely.
        fake.delay(20_000);
        RestSchemaRegistryClient impatient = clientFor(fake.url())
                .requestTimeout(Duration.ofMillis(500))
                .maxRetries(1)
                .build();

        long start = System.nanoTime();
        SchemaRegistryUnavailableException e =
                assertThrows(SchemaRegistryUnavailableException.class, () -> impatient.getById(1));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(elapsedMs < 15_000, "took " + elapsedMs + " ms");
        assertTrue(e.getMessage().contains(fake.url() + "/schemas/ids/1"), e.getMessage());
        assertEquals(2, fake.requestCount());
        assertTrue(e.isTransient());
    }

    @Test
    void unreachableRegistryThrowsUnavailableWithUrl() throws IOException {
        String dead = deadUrl();
        RestSchemaRegistryClient c = clientFor(dead).maxRetries(2).build();
        SchemaRegistryUnavailableException e =
                assertThrows(SchemaRegistryUnavailableException.class, () -> c.register(SUBJECT, V1));
        assertTrue(e.getMessage().contains(dead), e.getMessage());
        assertTrue(e.getMessage().contains("3 attempt"), e.getMessage());
    }

    @Test
    void failsOverToTheNextUrl() throws IOException {
        RestSchemaRegistryClient c =
                clientFor(deadUrl(), fake.url()).maxRetries(1).build();
        assertEquals(1, c.register(SUBJECT, V1));
        assertEquals(1, fake.requestCount());
    }

    @Test
    void keepsUsingTheUrlThatAnsweredLast() throws IOException {
        try (FakeConfluentRegistry second = new FakeConfluentRegistry()) {
            RestSchemaRegistryClient c =
                    clientFor(fake.url(), second.url()).maxRetries(1).build();
            fake.script(503, error(50003, "primary unavailable"));

            assertEquals(1, c.register(SUBJECT, V1));
            assertEquals(2, c.register(SUBJECT, V2_WITH_DEFAULT));

            assertEquals(1, fake.requestCount());
            assertEquals(2, second.requestCount());
        }
    }

    @Test
    void compatibilityCheckAgainstLatest() {
        assertTrue(client.testCompatibility(SUBJECT, V1), "no versions yet");
        client.register(SUBJECT, V1);

        assertTrue(client.testCompatibility(SUBJECT, V2_WITH_DEFAULT));
        assertFalse(client.testCompatibility(SUBJECT, V2_REQUIRED));
        assertEquals(
                "/compatibility/subjects/lm.vm-samples-value/versions/latest",
                fake.lastRequest().path());
    }

    @Test
    void readsAndWritesGlobalAndSubjectConfigInBothKeySpellings() throws IOException {
        assertEquals("BACKWARD", client.getCompatibility(null));
        fake.configResponseKey = "compatibility";
        assertEquals("BACKWARD", client.getCompatibility(null));

        client.setCompatibility(null, "full");
        var put = fake.lastRequest();
        assertEquals("PUT", put.method());
        assertEquals("/config", put.path());
        assertEquals(
                "FULL",
                new ObjectMapper().readTree(put.body()).get("compatibility").asText());
        assertEquals("FULL", client.getCompatibility(null));

        // No subject level yet: falls back to global.
        assertEquals("FULL", client.getCompatibility(SUBJECT));
        client.setCompatibility(SUBJECT, "NONE");
        assertEquals("/config/lm.vm-samples-value", fake.lastRequest().path());
        fake.configResponseKey = "compatibilityLevel";
        assertEquals("NONE", client.getCompatibility(SUBJECT));
        assertEquals("defaultToGlobal=true", fake.lastRequest().query());
    }

    @Test
    void sendsBasicAuthButNeverShowsTheSecret() throws IOException {
        String withCredentials = fake.url().replace("http://", "http://alice:s3cret@");
        RestSchemaRegistryClient c = clientFor(withCredentials).build();
        c.register(SUBJECT, V1);
        String expected =
                "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, fake.lastRequest().header("Authorization"));
        assertFalse(c.toString().contains("s3cret"));

        RestSchemaRegistryClient explicit =
                clientFor(fake.url()).basicAuthUserInfo("bob:pw").build();
        explicit.getById(1);
        assertTrue(fake.lastRequest()
                .header("Authorization")
                .endsWith(Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8))));

        String dead = deadUrl().replace("http://", "http://alice:s3cret@");
        RestSchemaRegistryClient unreachable = clientFor(dead).maxRetries(0).build();
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> unreachable.getById(1));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void encodesSubjectAsOnePathSegment() {
        assertEquals("a%2Fb%20c-value", RestSchemaRegistryClient.pathSegment("a/b c-value"));
        client.register("odd/subject", V1);
        assertEquals("/subjects/odd%2Fsubject/versions", fake.lastRequest().path());
    }

    /** A URL on which nothing listens (the port was just released). */
    private static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }
}
