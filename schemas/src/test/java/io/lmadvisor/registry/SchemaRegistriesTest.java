package io.lmadvisor.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SchemaRegistriesTest {

    @Test
    void commaListBecomesRestClientWithFailoverOrder() {
        SchemaRegistry registry =
                SchemaRegistries.fromConfig(Map.of("schema.registry.url", "http://a:8081/, https://b:8081/ccompat/"));
        RestSchemaRegistryClient rest = assertInstanceOf(RestSchemaRegistryClient.class, registry);
        assertEquals(List.of("http://a:8081", "https://b:8081/ccompat"), rest.urls());
    }

    @Test
    void userInfoAndTimeoutsAreApplied() throws IOException {
        try (FakeConfluentRegistry fake = new FakeConfluentRegistry()) {
            Map<String, Object> configs = new HashMap<>();
            configs.put("schema.registry.url", List.of(fake.url()));
            configs.put("basic.auth.user.info", "u:p");
            configs.put("schema.registry.request.timeout.ms", "2000");
            configs.put("schema.registry.max.retries", 0);
            SchemaRegistry registry = SchemaRegistries.fromConfig(configs);

            assertThrows(SchemaNotFoundException.class, () -> registry.getById(1));
            assertTrue(fake.lastRequest().header("Authorization").startsWith("Basic "));

            fake.delay(6_000);
            assertThrows(SchemaRegistryUnavailableException.class, () -> registry.getById(2));
            assertEquals(2, fake.requestCount());
        }
    }

    @Test
    void rejectsMissingOrBadSettings() {
        assertThrows(ConfigException.class, () -> SchemaRegistries.fromConfig(Map.of()));
        assertThrows(
                ConfigException.class, () -> SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://")));
        assertThrows(
                ConfigException.class,
                () -> SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://x,http://a:1")));
        assertThrows(
                ConfigException.class, () -> SchemaRegistries.fromConfig(Map.of("schema.registry.url", "ftp://a")));
        assertThrows(
                ConfigException.class,
                () -> SchemaRegistries.fromConfig(
                        Map.of("schema.registry.url", "http://a", "schema.registry.max.retries", "many")));
        ConfigException malformed = assertThrows(
                ConfigException.class,
                () -> SchemaRegistries.fromConfig(Map.of("schema.registry.url", "http://user:top secret@a")));
        assertFalse(malformed.getMessage().contains("secret"), malformed.getMessage());
    }
}
