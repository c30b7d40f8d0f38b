package io.lmadvisor.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ExecutorConfigTest {
    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", "kafka:9092");
        p.setProperty("schema.registry.url", "http://registry:8081");
        return p;
    }

    @Test
    void defaultsMatchTheExecutorDefaults() {
        ExecutorConfig c = new ExecutorConfig(minimal());
        assertEquals(ExecutorSettings.defaults(), c.settings());
    }

    @Test
    void fileThenEnvironmentThenFlagsAndClientSettingsPassThrough() {
        Properties file = minimal();
        file.setProperty(ExecutorConfig.EXECUTE_FRACTION, "0.1");
        file.setProperty("security.protocol", "SASL_SSL");
        file.setProperty("basic.auth.user.info", "u:p");
        Properties flags = new Properties();
        flags.setProperty(ExecutorConfig.SEED, "9");
        ExecutorConfig c = ExecutorConfig.layered(
                file,
                Map.of(
                        "LM_EXECUTOR_EXECUTE_FRACTION",
                        "0.5",
                        "LM_EXECUTOR_SEED",
                        "1",
                        "LM_GROUP_ID",
                        "exec-b",
                        "LM_SASL_MECHANISM",
                        "PLAIN"),
                flags);
        assertEquals(0.5, c.settings().executeFraction());
        assertEquals(9L, c.settings().seed());
        assertEquals("exec-b", c.settings().groupId());
        Map<String, Object> client = c.clientConfigs();
        assertEquals("SASL_SSL", client.get("security.protocol"));
        assertEquals("PLAIN", client.get("sasl.mechanism"));
        assertEquals("u:p", client.get("basic.auth.user.info"));
        assertFalse(client.keySet().stream().anyMatch(k -> k.startsWith("lm.")), client.toString());
    }

    @Test
    void invalidSettingsFailNamingTheSetting() {
        for (String[] bad : new String[][] {
            {ExecutorConfig.EXECUTE_FRACTION, "1.5"},
            {ExecutorConfig.OFF_POLICY_FRACTION, "NaN"},
            {ExecutorConfig.SEED, "x"},
            {"group.id", " "}
        }) {
            Properties p = minimal();
            p.setProperty(bad[0], bad[1]);
            ConfigException e = assertThrows(ConfigException.class, () -> new ExecutorConfig(p));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
        Properties p = minimal();
        p.remove("schema.registry.url");
        assertTrue(assertThrows(ConfigException.class, () -> new ExecutorConfig(p))
                .getMessage()
                .contains("schema.registry.url"));
    }

    @Test
    void describedConfigurationHidesSecrets() {
        Properties p = minimal();
        p.setProperty("sasl.jaas.config", "x required username=\"a\" password=\"jaas-secret\";");
        p.setProperty("basic.auth.user.info", "reg:reg-secret");
        String shown = new ExecutorConfig(p).describe();
        assertFalse(shown.contains("jaas-secret") || shown.contains("reg-secret"), shown);
        assertTrue(shown.contains("bootstrap.servers=kafka:9092"), shown);
    }
}
