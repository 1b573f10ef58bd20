package io.collavre.openclaw.bridge.state;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** proactive.state-store, and the older proactive.persistent switch. */
class RunStateConfigurationTest {

    @Test
    void stateStoreIsChosenByItsSettingAndPersistentMeansEmbedded() {
        assertEquals("memory", RunStateConfiguration.stateStore("memory", false));
        assertEquals("embedded", RunStateConfiguration.stateStore("memory", true));
        assertEquals("embedded", RunStateConfiguration.stateStore("embedded", false));
        assertEquals("postgresql", RunStateConfiguration.stateStore(" PostgreSQL ", true));
        assertThrows(IllegalArgumentException.class, () -> RunStateConfiguration.stateStore("postgres", false));
    }
}
