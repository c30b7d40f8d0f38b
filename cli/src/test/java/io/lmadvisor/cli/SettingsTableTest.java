package io.lmadvisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.executor.ExecutorConfig;
import io.lmadvisor.streams.AdvisorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** The README's settings table and the commands' {@link ConfigDef}s name the same settings with the same defaults. */
class SettingsTableTest {
    private static final String HEADER = "| setting | default | used by | meaning |";
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]*) \\| ([^|]*) \\|");
    private static final Pattern FIRST_CODE = Pattern.compile("`([^`]*)`");

    /** Key → {default column, used-by column}, for the rows of the README's settings table. */
    private static Map<String, String[]> readmeRows() throws IOException {
        Map<String, String[]> rows = new HashMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
            if (line.startsWith(HEADER)) {
                inTable = true;
            } else if (inTable && line.isBlank()) {
                break;
            }
            Matcher m = ROW.matcher(line);
            if (inTable && m.find()) {
                rows.put(m.group(1), new String[] {m.group(2).trim(), m.group(3).trim()});
            }
        }
        assertTrue(inTable, "README has a settings table starting " + HEADER);
        return rows;
    }

    @Test
    void everyDefinedSettingHasItsRowAndDefault() throws IOException {
        Map<String, String[]> rows = readmeRows();
        check(rows, AdvisorConfig.DEFINITION, "streams");
        check(rows, ExecutorConfig.DEFINITION, "executor");
    }

    @Test
    void everyOwnSettingInTheTableIsDefined() throws IOException {
        for (Map.Entry<String, String[]> row : readmeRows().entrySet()) {
            String key = row.getKey();
            if (!key.startsWith("lm.")) {
                continue;
            }
            String usedBy = row.getValue()[1];
            assertTrue(
                    usedBy.equals("streams")
                            ? AdvisorConfig.DEFINITION.names().contains(key)
                            : usedBy.equals("executor")
                                    && ExecutorConfig.DEFINITION.names().contains(key),
                    "README documents " + key + " for " + usedBy + ", which does not define it");
        }
    }

    private static void check(Map<String, String[]> rows, ConfigDef definition, String usedBy) {
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            String[] row = rows.get(key.name);
            assertNotNull(row, "README's settings table has no row for " + key.name);
            assertEquals(usedBy, row[1], key.name + ": used by");
            if (key.defaultValue != null) {
                Matcher code = FIRST_CODE.matcher(row[0]);
                assertTrue(code.find(), key.name + ": README gives no default in backticks: " + row[0]);
                assertEquals(String.valueOf(key.defaultValue), code.group(1), key.name + ": README's default");
            }
        }
    }
}
