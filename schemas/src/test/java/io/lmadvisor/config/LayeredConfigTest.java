package io.lmadvisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeredConfigTest {
    private static final List<String> OWN = List.of("lm.window.ms", "lm.executor.seed");

    @Test
    void fileThenEnvironmentThenFlags() {
        Properties file = new Properties();
        file.setProperty("lm.window.ms", "1");
        file.setProperty("kafka.security.protocol", "SSL");
        file.setProperty("sasl.mechanism", "PLAIN");
        Properties flags = new Properties();
        flags.setProperty("lm.executor.seed", "7");
        Properties p = LayeredConfig.layer(
                file,
                Map.of(
                        "LM_WINDOW_MS",
                        "2",
                        "LM_EXECUTOR_SEED",
                        "3",
                        "LM_KAFKA_SASL_MECHANISM",
                        "SCRAM-SHA-512",
                        "HOME",
                        "/root"),
                flags,
                OWN);
        assertEquals("2", p.getProperty("lm.window.ms"), "environment beats the file");
        assertEquals("7", p.getProperty("lm.executor.seed"), "flags beat the environment");
        assertEquals("SSL", p.getProperty("security.protocol"), "kafka. prefix is dropped");
        assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"));
        assertNull(p.getProperty("home"));
        assertNull(p.getProperty("kafka.security.protocol"));
    }

    @Test
    void anotherCommandsVariablesAreLeftOut() {
        List<String> product = List.of("lm.window.ms", "lm.http.bind", "lm.executor.seed");
        Map<String, String> env = Map.of(
                "LM_HTTP_BIND",
                "0.0.0.0",
                "LM_EXECUTOR_SEED",
                "3",
                "LM_BOOTSTRAP_SERVERS",
                "kafka:9092",
                "HOME",
                "/root");
        assertEquals(
                Map.of("LM_EXECUTOR_SEED", "3", "LM_BOOTSTRAP_SERVERS", "kafka:9092"),
                LayeredConfig.forCommand(env, List.of("lm.executor.seed"), product));
        assertEquals(
                Map.of("LM_HTTP_BIND", "0.0.0.0", "LM_BOOTSTRAP_SERVERS", "kafka:9092"),
                LayeredConfig.forCommand(env, List.of("lm.window.ms", "lm.http.bind"), product));
    }

    @Test
    void environmentNamesMapToKeys() {
        assertEquals("bootstrap.servers", LayeredConfig.keyForEnv("LM_BOOTSTRAP_SERVERS", OWN));
        assertEquals("sasl.jaas.config", LayeredConfig.keyForEnv("LM_SASL_JAAS_CONFIG", OWN));
        assertEquals("lm.window.ms", LayeredConfig.keyForEnv("LM_WINDOW_MS", OWN));
        assertNull(LayeredConfig.keyForEnv("LM_", OWN));
        assertNull(LayeredConfig.keyForEnv("PATH", OWN));
    }

    @Test
    void secretsAndUrlCredentialsAreHidden() {
        Map<String, String> shown = LayeredConfig.redacted(Map.of(
                "sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"jaas-pw\";",
                "ssl.truststore.password", "trust-pw",
                "basic.auth.user.info", "reg:reg-pw",
                "lm.http.token", "tok-123",
                "schema.registry.url", "https://reg:url-pw@registry:8081,http://other:8081",
                "bootstrap.servers", "kafka:9092"));
        String text = LayeredConfig.describe(shown);
        for (String secret : List.of("jaas-pw", "trust-pw", "reg-pw", "tok-123", "url-pw")) {
            assertFalse(text.contains(secret), secret + " leaked: " + text);
        }
        assertEquals("https://[hidden]@registry:8081,http://other:8081", shown.get("schema.registry.url"));
        assertEquals("kafka:9092", shown.get("bootstrap.servers"));
        assertTrue(text.contains("lm.http.token=[hidden]"), text);
        assertFalse(LayeredConfig.isSecret("basic.auth.credentials.source"));
    }

    @Test
    void unreadableFileIsNamed(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.properties");
        IOException e = assertThrows(IOException.class, () -> LayeredConfig.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path ok = Files.writeString(dir.resolve("ok.properties"), "a.b=c\n");
        assertEquals("c", LayeredConfig.load(ok).getProperty("a.b"));
    }
}
