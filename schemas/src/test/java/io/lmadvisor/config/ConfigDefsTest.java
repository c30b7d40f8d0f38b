package io.lmadvisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ConfigDefsTest {
    private static final ConfigDef DEF = new ConfigDef()
            .define("lm.share", Type.DOUBLE, 0.5, NumberRange.between(0, 1), Importance.LOW, "A share.")
            .define("lm.factor", Type.DOUBLE, 2.0, NumberRange.atLeast(1), Importance.LOW, "A factor.")
            .define("lm.count", Type.INT, 3, Range.atLeast(1), Importance.LOW, "A count.")
            .define("lm.on", Type.BOOLEAN, false, Importance.LOW, "A switch.");

    private static String error(String key, String value) {
        return assertThrows(ConfigException.class, () -> ConfigDefs.parse(DEF, Map.of(key, value)))
                .getMessage();
    }

    @Test
    void parsesAndDefaults() {
        Map<String, Object> v = ConfigDefs.parse(DEF, Map.of("lm.share", " 0.25 ", "lm.on", "TRUE"));
        assertEquals(0.25, v.get("lm.share"));
        assertEquals(2.0, v.get("lm.factor"));
        assertEquals(3, v.get("lm.count"));
        assertEquals(true, v.get("lm.on"));
    }

    @Test
    void everyErrorIsOneSentenceSayingWhatIsValid() {
        assertEquals(
                "Invalid value abc for configuration lm.share: must be a number in [0, 1]", error("lm.share", "abc"));
        assertEquals(
                "Invalid value NaN for configuration lm.share: must be a number in [0, 1]", error("lm.share", "NaN"));
        assertEquals(
                "Invalid value Infinity for configuration lm.factor: must be a finite number >= 1",
                error("lm.factor", "Infinity"));
        assertEquals(
                "Invalid value 1.5 for configuration lm.count: must be a whole number in [1,...]",
                error("lm.count", "1.5"));
        assertEquals("Invalid value yes for configuration lm.on: must be true or false", error("lm.on", "yes"));
    }
}
