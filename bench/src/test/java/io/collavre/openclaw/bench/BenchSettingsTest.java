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
        assertEquals(20, settings.latencyLeadInSeconds());
        assertEquals(List.of(), settings.jvmOptions());
        assertEquals(List.of("memory"), settings.stateStores());
    }

    @Test
    void repeatIsOneByDefaultAndMustBePositive() {
        assertEquals(1, BenchMain.Settings.parse(new String[0]).repeat());
        assertEquals(3, BenchMain.Settings.parse(new String[] {"--repeat", "3"}).repeat());
        assertThrows(IllegalArgumentException.class, () -> BenchMain.Settings.parse(new String[] {"--repeat", "0"}));
    }

    @Test
    void eachRoundOfRepeatedRunsStartsOneSubjectFurtherOn() {
        BenchMain.Measured memory = new BenchMain.Measured("bridge", "memory");
        BenchMain.Measured embedded = new BenchMain.Measured("bridge", "embedded");
        BenchMain.Measured baseline = new BenchMain.Measured("baseline", "memory");
        List<BenchMain.Measured> subjects = List.of(memory, embedded, baseline);
        assertEquals(List.of(memory, embedded, baseline), BenchMain.roundOrder(subjects, 1));
        assertEquals(List.of(embedded, baseline, memory), BenchMain.roundOrder(subjects, 2));
        assertEquals(List.of(baseline, memory, embedded), BenchMain.roundOrder(subjects, 3));
        assertEquals(List.of(memory, embedded, baseline), BenchMain.roundOrder(subjects, 4));
    }

    static BenchMain.Load load(double eventsPerSecond, double p99Ms, Double storeWaitMeanMs) {
        return new BenchMain.Load(eventsPerSecond, 1, 2, 3, 4, 950, 1, p99Ms, 5, 6, 100, 10, 7, 8, storeWaitMeanMs,
                null, 0.9, 12.0, 1.5, null, 0.01, null, null);
    }

    @Test
    void aCountsGrowthIsPerEventOrRunAndNullWhereTheSubjectHasNoSuchCount() {
        assertEquals(0.5, BenchMain.growthPer(100, 350, 500));
        assertNull(BenchMain.growthPer(-1, -1, 500), "no durable store: n/a, not zero");
        assertNull(BenchMain.growthPer(0, 0, 0), "no run dispatched");
    }

    @Test
    void repeatedRunsAreSummedUpFigureByFigureByTheirMedian() {
        BenchMain.Load median = BenchMain.Load.median(List.of(load(50_000, 80, 2.0), load(40_000, 12, null),
                load(60_000, 15, 4.0)));
        assertEquals(50_000, median.eventsPerSecond(), "the middle run's");
        assertEquals(15, median.p99Ms(), "another run's: each figure on its own");
        assertEquals(3.0, median.storeWaitMeanMs(), "of the runs that have it, two middle values averaged");
        assertNull(median.storeWaitP99Ms(), "none has it");
        assertEquals(100, median.events());
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
        assertEquals(10, settings.latencyLeadInSeconds());
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
