package io.lmadvisor.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class AdvisorConfigTest {
    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", "127.0.0.1:9092");
        p.setProperty("schema.registry.url", "http://registry:8081");
        return p;
    }

    @Test
    void exactlyOnceAndDeadLettersByDefault() {
        AdvisorConfig c = new AdvisorConfig(minimal());
        assertEquals(
                StreamsConfig.EXACTLY_ONCE_V2, c.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("lm-advisor", c.streamsProperties().get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals(Duration.ofSeconds(20), c.settings().window());
        assertEquals(3, c.topK());
    }

    @Test
    void clientSecurityPassesThroughUnchanged() {
        Properties p = minimal();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", "SCRAM-SHA-512");
        p.setProperty("basic.auth.user.info", "u:p");
        AdvisorConfig c = new AdvisorConfig(p);
        assertEquals("SASL_SSL", c.streamsProperties().get("security.protocol"));
        assertEquals("u:p", c.registryConfig().get("basic.auth.user.info"));
    }

    @Test
    void invalidSettingsFailNamingTheSetting() {
        Properties p = minimal();
        p.setProperty(AdvisorConfig.WINDOW_MS, "soon");
        ConfigException e = assertThrows(ConfigException.class, () -> new AdvisorConfig(p));
        assertTrue(e.getMessage().contains(AdvisorConfig.WINDOW_MS), e.getMessage());
        Properties q = new Properties();
        q.setProperty("schema.registry.url", "mock://x");
        assertTrue(assertThrows(ConfigException.class, () -> new AdvisorConfig(q))
                .getMessage()
                .contains("bootstrap.servers"));
    }

    @Test
    void fileThenEnvironmentThenFlags() {
        Properties file = minimal();
        file.setProperty(AdvisorConfig.WINDOW_MS, "10000");
        file.setProperty(AdvisorConfig.TOP_K, "5");
        Properties flags = new Properties();
        flags.setProperty(AdvisorConfig.TOP_K, "2");
        AdvisorConfig c = AdvisorConfig.layered(
                file,
                java.util.Map.of(
                        "LM_WINDOW_MS",
                        "30000",
                        "LM_TOP_K_IGNORED",
                        "x",
                        "LM_DESTINATIONS_TOP_K",
                        "4",
                        "LM_SECURITY_PROTOCOL",
                        "SSL",
                        "HOME",
                        "/root"),
                flags);
        assertEquals(Duration.ofSeconds(30), c.settings().window(), "environment beats the file");
        assertEquals(2, c.topK(), "flags beat the environment");
        assertEquals("SSL", c.streamsProperties().get("security.protocol"));
        assertEquals(null, c.streamsProperties().get("home"), "only LM_ variables count");
    }

    @Test
    void theDescribedConfigurationHidesSecrets() {
        Properties p = minimal();
        p.setProperty(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"jaas-secret\";");
        p.setProperty("ssl.keystore.password", "ks-secret");
        p.setProperty("basic.auth.user.info", "reg:reg-secret");
        p.setProperty(AdvisorConfig.HTTP_TOKEN, "token-secret");
        String shown = new AdvisorConfig(p).describe();
        for (String secret : new String[] {"jaas-secret", "ks-secret", "reg-secret", "token-secret"}) {
            assertTrue(!shown.contains(secret), secret + " appears in " + shown);
        }
        assertTrue(shown.contains("bootstrap.servers=127.0.0.1:9092"), shown);
        assertTrue(shown.contains("sasl.jaas.config=[hidden]"), shown);
    }

    @Test
    void evaluationSettingsDefaultLayerAndValidate() {
        assertEquals(
                io.lmadvisor.streams.evaluation.EvaluationSettings.DEFAULTS,
                new AdvisorConfig(minimal()).settings().evaluation());
        Properties file = minimal();
        file.setProperty(AdvisorConfig.DRIFT_FACTOR, "3");
        AdvisorConfig c = AdvisorConfig.layered(
                file,
                java.util.Map.of(
                        "LM_EVALUATION_WINDOW_OUTCOMES", "50", "LM_DRIFT_MIN_OUTCOMES", "10", "LM_DRIFT_FACTOR", "1.5"),
                new Properties());
        assertEquals(
                new io.lmadvisor.streams.evaluation.EvaluationSettings(50, 1.5, 10),
                c.settings().evaluation());
        for (String[] bad : new String[][] {
            {AdvisorConfig.DRIFT_FACTOR, "0.5"},
            {AdvisorConfig.DRIFT_FACTOR, "lots"},
            {AdvisorConfig.EVALUATION_WINDOW_OUTCOMES, "0"},
            {AdvisorConfig.DRIFT_MIN_OUTCOMES, "-1"}
        }) {
            Properties p = minimal();
            p.setProperty(bad[0], bad[1]);
            ConfigException e = assertThrows(ConfigException.class, () -> new AdvisorConfig(p));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void riskHysteresisDefaultsLayersAndValidates() {
        assertEquals(
                io.lmadvisor.streams.risk.RiskHysteresis.DEFAULTS,
                new AdvisorConfig(minimal()).settings().riskHysteresis());
        AdvisorConfig c = AdvisorConfig.layered(
                minimal(),
                java.util.Map.of("LM_RISK_CLEAR_BELOW", "0.8", "LM_RISK_CLEAR_WINDOWS", "4"),
                new Properties());
        assertEquals(
                new io.lmadvisor.streams.risk.RiskHysteresis(0.8, 4),
                c.settings().riskHysteresis());
        for (String[] bad : new String[][] {
            {AdvisorConfig.RISK_CLEAR_BELOW, "1.5"},
            {AdvisorConfig.RISK_CLEAR_BELOW, "most"},
            {AdvisorConfig.RISK_CLEAR_WINDOWS, "0"}
        }) {
            Properties p = minimal();
            p.setProperty(bad[0], bad[1]);
            ConfigException e = assertThrows(ConfigException.class, () -> new AdvisorConfig(p));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void everyBadRecordHandlerAndTheClockSkewAreSetByDefault() {
        AdvisorConfig c = new AdvisorConfig(minimal());
        Properties p = c.streamsProperties();
        assertEquals(
                io.lmadvisor.streams.deadletter.DeadLetterHandler.class.getName(),
                p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(
                io.lmadvisor.streams.deadletter.DeadLetterProcessingHandler.class.getName(),
                p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(
                io.lmadvisor.streams.deadletter.DeadLetterProductionHandler.class.getName(),
                p.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(Duration.ofSeconds(60), c.maxClockSkew());

        Properties q = minimal();
        q.put(AdvisorConfig.MAX_CLOCK_SKEW_MS, "5000");
        assertEquals(Duration.ofSeconds(5), new AdvisorConfig(q).maxClockSkew());
        q.put(AdvisorConfig.MAX_CLOCK_SKEW_MS, "-1");
        ConfigException e = assertThrows(ConfigException.class, () -> new AdvisorConfig(q));
        assertTrue(e.getMessage().contains(AdvisorConfig.MAX_CLOCK_SKEW_MS), e.getMessage());
        Properties env = new Properties();
        assertEquals(
                Duration.ofSeconds(2),
                AdvisorConfig.layered(minimal(), Map.of("LM_MAX_CLOCK_SKEW_MS", "2000"), env)
                        .maxClockSkew());
    }
}
