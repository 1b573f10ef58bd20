package io.collavre.openclaw.bridge;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * docs/configuration.md lists exactly the settings of application.properties, with their environment variables and
 * defaults; the README's short table of essentials agrees with it.
 */
class SettingsDocumentationTest {

    /** | `key` | `ENV_VAR` | `default` or *(empty)* | meaning | */
    private static final Pattern SETTING_ROW =
            Pattern.compile("^\\| `([^`]+)` \\| `([^`]+)` \\| (`([^`]*)`|\\*\\(empty\\)\\*) \\|");
    /** | `ENV_VAR` | `default` or *(empty)* | meaning | */
    private static final Pattern ESSENTIAL_ROW =
            Pattern.compile("^\\| `([A-Z0-9_]+)` \\| (`([^`]*)`|\\*\\(empty\\)\\*) \\|");

    @Test
    void configurationDocumentListsEverySettingWithItsDefault() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        for (Map.Entry<String, String[]> row : documentedSettings().entrySet()) {
            String key = row.getKey();
            assertEquals(environmentVariable(key), row.getValue()[0], "environment variable of " + key);
            documented.put(key, row.getValue()[1]);
        }
        assertEquals(applicationProperties(), documented);
    }

    @Test
    void readmeEssentialsAgreeWithTheConfigurationDocument() throws IOException {
        Map<String, String> defaultsByVariable = new TreeMap<>();
        documentedSettings().values().forEach(row -> defaultsByVariable.put(row[0], row[1]));

        Map<String, String> essentials = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            Matcher row = ESSENTIAL_ROW.matcher(line);
            if (row.find()) {
                essentials.put(row.group(1), row.group(3) == null ? "" : row.group(3));
            }
        }
        assertFalse(essentials.isEmpty(), "the README's table of essential settings");
        essentials.forEach((variable, value) ->
                assertEquals(defaultsByVariable.get(variable), value, "README default of " + variable));
    }

    private static Map<String, String> applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("camel.")) {
                settings.put(key, properties.getProperty(key).trim());
            }
        }
        return settings;
    }

    /** Setting name to {environment variable, default} from docs/configuration.md. */
    private static Map<String, String[]> documentedSettings() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("docs/configuration.md"))) {
            Matcher row = SETTING_ROW.matcher(line);
            if (row.find()) {
                rows.put(row.group(1), new String[] {row.group(2), row.group(4) == null ? "" : row.group(4)});
            }
        }
        return rows;
    }

    private static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
