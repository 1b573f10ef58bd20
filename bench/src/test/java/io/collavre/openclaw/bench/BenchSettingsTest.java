package io.collavre.openclaw.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BenchSettingsTest {

    @Test
    void defaultsAreTheFullRun() {
        BenchMain.Settings settings = BenchMain.Settings.parse(new String[0]);

        assertEquals(List.of(1, 10, 100), settings.connections());
        assertEquals(List.of("bridge", "baseline"), settings.sides());
        assertEquals(0.3, settings.duplicates());
        assertArrayEquals(new int[] {10_000, 100_000}, settings.openRuns());
        assertEquals(6000, settings.warmupRuns());
        assertEquals(6000, settings.throughputRuns());
        assertEquals(1000, settings.latencyRunsPerSecond());
        assertEquals(5, settings.latencySeconds());
        assertEquals(2, settings.latencyLeadInSeconds());
        assertEquals(List.of(), settings.jvmOptions());
        assertEquals(List.of("memory"), settings.stateStores());
    }

    @Test
    void stateStoresAreListedAndCheckedByName() {
        assertEquals(List.of("memory", "embedded", "postgresql"), BenchMain.Settings.parse(new String[] {
                "--state-stores", "memory, embedded,postgresql"}).stateStores());
        assertThrows(IllegalArgumentException.class,
                () -> BenchMain.Settings.parse(new String[] {"--state-stores", "memory,redis"}));
    }

    @Test
    void quickShortensThePhasesAndOptionsOverrideThem() {
        BenchMain.Settings settings = BenchMain.Settings.parse(new String[] {
                "--quick", "--connections", "1, 10", "--open-runs", "1000", "--jvm-options", " -XX:+UseZGC  -Xss1m "});

        assertTrue(settings.quick());
        assertEquals(List.of(1, 10), settings.connections());
        assertArrayEquals(new int[] {1000}, settings.openRuns());
        assertEquals(300, settings.warmupRuns());
        assertEquals(1, settings.latencyLeadInSeconds());
        assertEquals(List.of("-XX:+UseZGC", "-Xss1m"), settings.jvmOptions());
    }

    @Test
    void helpAsksOnlyForTheUsage() {
        assertNull(BenchMain.Settings.parse(new String[] {"--connections", "1", "--help"}));
    }

    @Test
    void unknownArgumentsAndMissingValuesAreRefused() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BenchMain.Settings.parse(new String[] {"--conections", "1"}));
        IllegalArgumentException valueless = assertThrows(IllegalArgumentException.class,
                () -> BenchMain.Settings.parse(new String[] {"--connections"}));

        assertEquals("unknown argument --conections", unknown.getMessage());
        assertEquals("--connections needs a value", valueless.getMessage());
    }
}
