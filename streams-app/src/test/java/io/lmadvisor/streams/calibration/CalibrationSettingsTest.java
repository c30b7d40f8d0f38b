package io.lmadvisor.streams.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.streams.AdvisorConfig;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CalibrationSettingsTest {
    private static Properties with(String key, String value) {
        Properties p = new Properties();
        p.put("bootstrap.servers", "localhost:9092");
        p.put("schema.registry.url", "mock://x");
        if (key != null) {
            p.put(key, value);
        }
        return p;
    }

    @Test
    void offByDefaultAndOneSettingTurnsItOn() {
        assertFalse(new AdvisorConfig(with(null, null)).calibration().enabled());
        CalibrationSettings on = new AdvisorConfig(with(AdvisorConfig.CALIBRATION_ENABLED, "true")).calibration();
        assertTrue(on.enabled());
        assertEquals(CalibrationSettings.DEFAULTS.everyRows(), on.everyRows());
    }

    @Test
    void badValuesFailNamingTheSetting() {
        for (String[] kv : new String[][] {
            {AdvisorConfig.CALIBRATION_ENABLED, "yes"},
            {AdvisorConfig.CALIBRATION_MARGIN, "-1"},
            {AdvisorConfig.CALIBRATION_MARGIN, "lots"},
            {AdvisorConfig.CALIBRATION_EVERY_ROWS, "0"},
            {AdvisorConfig.CALIBRATION_FOLDS, "1"},
            {AdvisorConfig.CALIBRATION_MAX_ROWS, "2"}
        }) {
            ConfigException e = assertThrows(ConfigException.class, () -> new AdvisorConfig(with(kv[0], kv[1])));
            assertTrue(e.getMessage().contains(kv[0]), e.getMessage());
        }
    }
}
