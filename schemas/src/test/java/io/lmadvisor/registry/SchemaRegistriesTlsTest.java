package io.lmadvisor.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https registry with a private CA: reachable with the configured trust store, refused without. */
class SchemaRegistriesTlsTest {
    private static final String STORE_PASSWORD = "store-secret";

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "keytool " + args[0] + ": " + out);
    }

    @Test
    void trustStoreFromSettingsReachesAPrivateCaRegistry(@TempDir Path dir) throws Exception {
        Path server = dir.resolve("server.p12");
        Path cert = dir.resolve("server.cer");
        Path trust = dir.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "registry",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-keystore",
                server.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                STORE_PASSWORD);
        keytool(
                "-exportcert",
                "-alias",
                "registry",
                "-keystore",
                server.toString(),
                "-storepass",
                STORE_PASSWORD,
                "-file",
                cert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "registry",
                "-file",
                cert.toString(),
                "-keystore",
                trust.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                STORE_PASSWORD);

        Schema schema = SchemaBuilder.record("Thing")
                .namespace("t")
                .fields()
                .requiredString("a")
                .endRecord();
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext(server)));
        https.createContext("/schemas/ids/1", ex -> {
            byte[] body = ("{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(schema.toString())
                            + "}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        https.start();
        try {
            String url = "https://127.0.0.1:" + https.getAddress().getPort();
            SchemaRegistry trusted = SchemaRegistries.fromConfig(Map.of(
                    "schema.registry.url",
                    url,
                    SchemaRegistries.TRUSTSTORE_LOCATION_CONFIG,
                    trust.toString(),
                    SchemaRegistries.TRUSTSTORE_PASSWORD_CONFIG,
                    STORE_PASSWORD,
                    SchemaRegistries.TRUSTSTORE_TYPE_CONFIG,
                    "PKCS12"));
            assertEquals(schema, trusted.getById(1));

            SchemaRegistry untrusted = SchemaRegistries.fromConfig(
                    Map.of("schema.registry.url", url, SchemaRegistries.MAX_RETRIES_CONFIG, "0"));
            SchemaRegistryUnavailableException e =
                    assertThrows(SchemaRegistryUnavailableException.class, () -> untrusted.getById(1));
            assertTrue(e.getMessage().contains("SSLHandshakeException"), e.getMessage());
        } finally {
            https.stop(0);
        }

        ConfigException missing = assertThrows(
                ConfigException.class,
                () -> SchemaRegistries.fromConfig(Map.of(
                        "schema.registry.url",
                        "https://127.0.0.1:1",
                        SchemaRegistries.TRUSTSTORE_LOCATION_CONFIG,
                        dir.resolve("nope.p12").toString(),
                        SchemaRegistries.TRUSTSTORE_PASSWORD_CONFIG,
                        STORE_PASSWORD)));
        assertTrue(missing.getMessage().contains(SchemaRegistries.TRUSTSTORE_LOCATION_CONFIG), missing.getMessage());
        assertFalse(missing.getMessage().contains(STORE_PASSWORD), missing.getMessage());
    }

    private static SSLContext serverContext(Path keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
