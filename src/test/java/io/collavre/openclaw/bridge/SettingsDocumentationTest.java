package io.collavre.openclaw.bridge;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's settings table lists exactly the settings of application.properties, with their defaults. */
class SettingsDocumentationTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| `([^`]+)` \\| (`([^`]*)`|\\*\\(empty\\)\\*) \\|");

    @Test
    void readmeSettingsTableMatchesApplicationProperties() throws IOException {
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

        Map<String, String> documented = new TreeMap<>();
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        for (String line : readme) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                String key = row.group(1);
                assertEquals(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), row.group(2),
                        "environment variable of " + key);
                documented.put(key, row.group(4) == null ? "" : row.group(4));
            }
        }
        assertEquals(settings, documented);
    }
}
