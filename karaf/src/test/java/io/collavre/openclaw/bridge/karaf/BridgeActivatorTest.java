package io.collavre.openclaw.bridge.karaf;

import java.util.Hashtable;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeActivatorTest {

    @Test
    void settingsAreTheConfigurationWithoutTheKeysConfigAdminFileInstallAndKarafAdd() {
        Hashtable<String, Object> configuration = new Hashtable<>();
        configuration.put("service.pid", BridgeActivator.PID);
        configuration.put("felix.fileinstall.filename", "file:/opt/karaf/etc/io.collavre.openclaw.bridge.cfg");
        configuration.put(":org.apache.felix.configadmin.revision:", 3L);
        configuration.put("org.apache.karaf.features.configKey", BridgeActivator.PID);
        configuration.put("openclaw.gateway.owner-id", " 42 ");
        configuration.put("proactive.dedup-ttl-seconds", 120);

        Properties settings = BridgeActivator.settings(configuration);

        Properties expected = new Properties();
        expected.setProperty("openclaw.gateway.owner-id", "42");
        expected.setProperty("proactive.dedup-ttl-seconds", "120");
        assertEquals(expected, settings);
    }

    @Test
    void noConfigurationMeansNoOverrides() {
        assertTrue(BridgeActivator.settings(null).isEmpty());
    }
}
