package io.collavre.openclaw.bridge.dedup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link ExpiringRepository} does, whichever way it remembers its keys: each implementation's test
 * extends this one.
 */
abstract class ExpiringRepositoryContract {

    static final long TTL_SECONDS = 60;
    static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(TTL_SECONDS);

    final AtomicLong nanos = new AtomicLong(1_000_000L);
    ExpiringRepository repository;

    /** A repository with its default settings, on the given clock. */
    abstract ExpiringRepository create(LongSupplier nanoClock);

    @BeforeEach
    void setUp() {
        repository = create(nanos::get);
        repository.setTtlSeconds(TTL_SECONDS);
    }

    void advance(long deltaNanos) {
        nanos.addAndGet(deltaNanos);
    }

    @Test
    void addReturnsTrueForANewKeyAndFalseForItWithinTheTtl() {
        assertTrue(repository.add("run-1"));
        assertFalse(repository.add("run-1"));

        advance(TTL_NANOS - 1);

        assertFalse(repository.add("run-1"));
    }

    @Test
    void keyCanBeAddedAgainOnceTheTtlHasPassed() {
        assertTrue(repository.add("run-1"));

        advance(TTL_NANOS);

        assertTrue(repository.add("run-1"));
        assertFalse(repository.add("run-1"));
    }

    @Test
    void duplicateAddDoesNotExtendTheTtl() {
        repository.add("run-1");
        advance(TTL_NANOS / 2);
        repository.add("run-1");

        advance(TTL_NANOS / 2);

        assertFalse(repository.contains("run-1"));
    }

    @Test
    void containsIsTrueOnlyForKeysAddedWithinTheTtl() {
        assertFalse(repository.contains("run-1"));
        repository.add("run-1");

        assertTrue(repository.contains("run-1"));
        assertFalse(repository.contains("run-2"));

        advance(TTL_NANOS - 1);
        assertTrue(repository.contains("run-1"));

        advance(1);
        assertFalse(repository.contains("run-1"));
    }

    @Test
    void removeForgetsTheKey() {
        repository.add("run-1");

        assertTrue(repository.remove("run-1"));

        assertFalse(repository.contains("run-1"));
        assertFalse(repository.remove("run-1"));
        assertTrue(repository.add("run-1"));
    }

    @Test
    void removeOfAnUnknownKeyReturnsFalse() {
        assertFalse(repository.remove("never-added"));
    }

    @Test
    void confirmAlwaysSucceeds() {
        assertTrue(repository.confirm("never-added"));
    }

    @Test
    void clearForgetsEveryKey() {
        repository.add("run-1");
        repository.add("run-2");

        repository.clear();

        assertEquals(0, repository.getSize());
        assertTrue(repository.add("run-1"));
    }

    @Test
    void maxSizeEvictsTheOldestKeyFirst() {
        repository.setMaxSize(2);

        repository.add("run-1");
        advance(1);
        repository.add("run-2");
        advance(1);
        repository.add("run-3");

        assertEquals(2, repository.getSize());
        assertFalse(repository.contains("run-1"));
        assertTrue(repository.contains("run-2"));
        assertTrue(repository.contains("run-3"));
    }

    @Test
    void duplicateAddAtMaxSizeEvictsNothing() {
        repository.setMaxSize(2);
        repository.add("run-1");
        repository.add("run-2");

        assertFalse(repository.add("run-2"));

        assertTrue(repository.contains("run-1"));
        assertTrue(repository.contains("run-2"));
    }

    @Test
    void expiredKeysArePurgedFromTheSize() {
        repository.add("run-1");
        advance(TimeUnit.SECONDS.toNanos(10));
        repository.add("run-2");
        advance(TimeUnit.SECONDS.toNanos(10));
        repository.add("run-3");
        assertEquals(3, repository.getSize());

        advance(TimeUnit.SECONDS.toNanos(40));
        assertEquals(2, repository.getSize());

        advance(TimeUnit.SECONDS.toNanos(10));
        assertEquals(1, repository.getSize());

        advance(TimeUnit.SECONDS.toNanos(10));
        assertEquals(0, repository.getSize());
    }

    @Test
    void ttlCanBeSetInMillis() {
        repository.setTtlMillis(1500);
        repository.add("run-1");

        advance(TimeUnit.MILLISECONDS.toNanos(1500) - 1);
        assertTrue(repository.contains("run-1"));

        advance(1);
        assertFalse(repository.contains("run-1"));
    }

    @Test
    void expiryWorksAcrossNanoTimeWraparound() {
        nanos.set(Long.MAX_VALUE - TTL_NANOS / 2);
        repository.add("run-1");

        advance(TTL_NANOS - 1);
        assertTrue(repository.contains("run-1"));

        advance(1);
        assertFalse(repository.contains("run-1"));
    }

    @Test
    void defaultTtlIsSixtySeconds() {
        ExpiringRepository defaults = create(nanos::get);
        defaults.add("run-1");

        advance(TimeUnit.SECONDS.toNanos(60) - 1);
        assertTrue(defaults.contains("run-1"));

        advance(1);
        assertFalse(defaults.contains("run-1"));
    }

    @Test
    void stoppingTheRepositoryForgetsEveryKey() {
        repository.start();
        repository.add("run-1");

        repository.stop();

        assertEquals(0, repository.getSize());
    }

    @Test
    void nonPositiveTtlSecondsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> repository.setTtlSeconds(0));
        assertThrows(IllegalArgumentException.class, () -> repository.setTtlSeconds(-1));
    }

    @Test
    void nonPositiveTtlMillisIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> repository.setTtlMillis(0));
        assertThrows(IllegalArgumentException.class, () -> repository.setTtlMillis(-1));
    }

    @Test
    void nonPositiveMaxSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> repository.setMaxSize(0));
        assertThrows(IllegalArgumentException.class, () -> repository.setMaxSize(-1));
    }

    @Test
    void rejectedSettingLeavesTheTtlUnchanged() {
        assertThrows(IllegalArgumentException.class, () -> repository.setTtlSeconds(0));
        repository.add("run-1");

        advance(TTL_NANOS - 1);

        assertTrue(repository.contains("run-1"));
    }

    @Test
    void aRouteStoppingWhileTheBridgeRunsKeepsTheKeysAndTheBridgeStoppingForgetsThem() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            repository.setCamelContext(context);
            repository.start();
            repository.add("run-1");

            // What a live reload does to the route using the repository.
            repository.stop();
            repository.start();
            assertTrue(repository.contains("run-1"), "kept over the route's restart");

            context.stop();
            repository.stop();
            assertFalse(repository.contains("run-1"), "forgotten when the bridge stops");
        }
    }
}
