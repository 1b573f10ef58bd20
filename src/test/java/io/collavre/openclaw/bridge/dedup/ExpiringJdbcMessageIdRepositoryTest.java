package io.collavre.openclaw.bridge.dedup;

import java.util.concurrent.atomic.AtomicLong;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpiringJdbcMessageIdRepositoryTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private JdbcConnectionPool pool;
    private ExpiringJdbcMessageIdRepository repository;

    @BeforeEach
    void setUp() {
        pool = JdbcConnectionPool.create("jdbc:h2:mem:dedup-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
        repository = new ExpiringJdbcMessageIdRepository(pool, "dispatchedRuns", 60_000, now::get);
        repository.start();
    }

    @AfterEach
    void tearDown() {
        repository.stop();
        pool.dispose();
    }

    @Test
    void aKeyIsADuplicateWithinTheTtlAndNewAfterIt() {
        assertTrue(repository.add("run-1"));
        now.addAndGet(59_999);
        assertFalse(repository.add("run-1"));
        assertTrue(repository.contains("run-1"));

        now.addAndGet(1);
        assertFalse(repository.contains("run-1"));
        assertTrue(repository.add("run-1"), "after the TTL the run may be dispatched again");
    }

    @Test
    void expiredKeysAreDeletedSoTheTableStaysSmall() {
        for (int i = 0; i < 10; i++) {
            repository.add("run-" + i);
        }
        assertEquals(10, repository.getSize());
        now.addAndGet(60_000);
        repository.contains("anything");
        assertEquals(0, repository.getSize());
    }

    @Test
    void keysSurviveANewRepositoryOnTheSameDatabase() {
        repository.add("run-kept");
        ExpiringJdbcMessageIdRepository reopened = new ExpiringJdbcMessageIdRepository(pool, "dispatchedRuns", 60_000,
                now::get);
        reopened.start();
        try {
            assertTrue(reopened.contains("run-kept"));
        } finally {
            reopened.stop();
        }
    }

    @Test
    void runIdsUpToTheRunIdCapFit() {
        String longest = "r".repeat(200);
        assertTrue(repository.add(longest));
        assertTrue(repository.contains(longest));
    }

    @Test
    void removeForgetsAKey() {
        repository.add("run-failed");
        assertTrue(repository.remove("run-failed"));
        assertTrue(repository.add("run-failed"));
    }
}
