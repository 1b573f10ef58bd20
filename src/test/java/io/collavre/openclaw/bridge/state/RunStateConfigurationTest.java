package io.collavre.openclaw.bridge.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** proactive.state-store, and the older proactive.persistent switch; the embedded store's own settings. */
class RunStateConfigurationTest {

    @TempDir
    Path data;

    @Test
    void stateStoreIsChosenByItsSettingAndPersistentMeansEmbedded() {
        assertEquals("memory", RunStateConfiguration.stateStore("memory", false));
        assertEquals("embedded", RunStateConfiguration.stateStore("memory", true));
        assertEquals("embedded", RunStateConfiguration.stateStore("embedded", false));
        assertEquals("postgresql", RunStateConfiguration.stateStore(" PostgreSQL ", true));
        assertThrows(IllegalArgumentException.class, () -> RunStateConfiguration.stateStore("postgres", false));
    }

    @Test
    void theEmbeddedDatabaseCacheIsOneMegabyteByDefault() throws Exception {
        assertEquals("1024", embeddedCacheSetting(Map.of()));
    }

    @Test
    void theEmbeddedDatabaseCacheFollowsItsSetting() throws Exception {
        assertEquals("4096", embeddedCacheSetting(Map.of("proactive.state-cache-kb", "4096")));
    }

    /** Starts a bridge with the embedded store and asks its H2 database for the page cache it was opened with. */
    private String embeddedCacheSetting(Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("proactive.state-store", "embedded");
        settings.put("bridge.data-dir", data.toString());
        try (BridgeFixture fixture = BridgeFixture.start(settings)) {
            RunStateConfiguration.EmbeddedDatabase database =
                    fixture.context().hasService(RunStateConfiguration.EmbeddedDatabase.class);
            try (Connection connection = database.pool.getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet setting = statement.executeQuery(
                         "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'CACHE_SIZE'")) {
                return setting.next() ? setting.getString(1) : "H2's default (no CACHE_SIZE set)";
            }
        }
    }
}
