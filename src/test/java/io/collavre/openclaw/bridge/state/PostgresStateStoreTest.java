package io.collavre.openclaw.bridge.state;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.dedup.PostgresMessageIdRepository;
import io.collavre.openclaw.bridge.testing.PostgresServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.OptimisticLockingAggregationRepository.OptimisticLockingException;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PostgreSQL run buffer store and dedup memory against a real PostgreSQL, as two bridges would use them. */
class PostgresStateStoreTest {

    static PostgresServer postgres;
    SharedStateDatabase database;
    CamelContext context;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @BeforeEach
    void createSchema() throws Exception {
        postgres.dropBridgeTables();
        database = new SharedStateDatabase(postgres.jdbcUrl(), postgres.user(), postgres.password(), 4, 5000, "b1");
        database.createSchema();
        // Twice, as when several bridges start: nothing is created twice, nothing fails.
        database.createSchema();
        context = new DefaultCamelContext();
        context.start();
    }

    @AfterEach
    void close() {
        context.stop();
        database.stop();
    }

    PostgresRunBufferStore store(String instance) {
        PostgresRunBufferStore store = new PostgresRunBufferStore(database.dataSource(), instance, 3000);
        store.setDeserializationFilter(RunStateConfiguration.DESERIALIZATION_FILTER);
        store.start();
        return store;
    }

    Exchange buffer(String runId, String text) {
        Exchange exchange = new DefaultExchange(context);
        RunBuffer buffer = new RunBuffer(runId, "42", "agent:a:collavre:42:creative:1", Instant.now(), 1000);
        buffer.mergeDelta(text);
        exchange.getMessage().setBody(buffer);
        return exchange;
    }

    @Test
    void twoBridgesUpdatingOrCompletingTheSameBufferFromTheSameVersionConflict() {
        database.heartbeat();
        PostgresRunBufferStore one = store("b1");
        PostgresRunBufferStore two = store("b2");
        one.add(context, "run-1", null, buffer("run-1", "a"));
        // Both open the run at once: the second insert is a conflict, not an error.
        assertThrows(OptimisticLockingException.class, () -> two.add(context, "run-1", null, buffer("run-1", "b")));

        Exchange seenByOne = one.get(context, "run-1");
        Exchange seenByTwo = two.get(context, "run-1");
        seenByTwo.getMessage().setBody(buffer("run-1", "ab").getMessage().getBody());
        two.add(context, "run-1", seenByTwo, seenByTwo);
        // One's copy is stale now: updating or completing it conflicts.
        assertThrows(OptimisticLockingException.class, () -> one.add(context, "run-1", seenByOne, seenByOne));
        assertThrows(OptimisticLockingException.class, () -> one.remove(context, "run-1", seenByOne));
        assertEquals(Set.of(), one.scan(context));

        Exchange latest = one.get(context, "run-1");
        assertEquals("ab", latest.getMessage().getBody(RunBuffer.class).getText());
        one.remove(context, "run-1", latest);
        assertNull(two.get(context, "run-1"));
        assertEquals(Set.of(latest.getExchangeId()), one.scan(context), "completed, delivered by b1");
        assertEquals(Set.of(), two.scan(context), "b1 is alive: b2 leaves its delivery alone");
        one.confirm(context, latest.getExchangeId());
        assertEquals(Set.of(), one.scan(context));
    }

    @Test
    void theDeliveriesOfADeadBridgeAreClaimedByExactlyOneSurvivor() throws Exception {
        database.heartbeat();
        PostgresRunBufferStore dead = store("b1");
        dead.add(context, "run-2", null, buffer("run-2", "left unfinished"));
        Exchange completed = dead.get(context, "run-2");
        dead.remove(context, "run-2", completed);
        PostgresRunBufferStore two = store("b2");
        PostgresRunBufferStore three = store("b3");
        assertEquals(Set.of(), two.scan(context), "b1's heartbeat is fresh");

        try (Connection connection = postgres.connect(); Statement sql = connection.createStatement()) {
            sql.execute("UPDATE bridge_instances SET last_seen = now() - interval '10 seconds'");
            // The survivors are alive: once one has claimed the run, it is no longer a dead bridge's.
            sql.execute("INSERT INTO bridge_instances VALUES ('b2', now()), ('b3', now())");
        }
        assertEquals(Set.of(completed.getExchangeId()), two.scan(context));
        assertEquals(Set.of(completed.getExchangeId()), three.scan(context));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Exchange>> claims = pool.invokeAll(List.of(
                    () -> two.recover(context, completed.getExchangeId()),
                    () -> three.recover(context, completed.getExchangeId())));
            int recovered = 0;
            for (Future<Exchange> claim : claims) {
                Exchange exchange = claim.get();
                if (exchange != null) {
                    recovered++;
                    assertEquals("left unfinished", exchange.getMessage().getBody(RunBuffer.class).getText());
                }
            }
            assertEquals(1, recovered);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void dedupKeysAreAddedOnceAmongConcurrentBridgesAndForgottenAfterTheTtl() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000);
        PostgresMessageIdRepository one = new PostgresMessageIdRepository(database.dataSource(), "dispatchedRuns",
                60_000, now::get);
        PostgresMessageIdRepository two = new PostgresMessageIdRepository(database.dataSource(), "dispatchedRuns",
                60_000, now::get);
        one.start();
        two.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int run = 0; run < 50; run++) {
                String key = "run-" + run;
                List<Callable<Boolean>> adds = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    PostgresMessageIdRepository repository = i % 2 == 0 ? one : two;
                    adds.add(() -> repository.add(key));
                }
                int added = 0;
                for (Future<Boolean> add : pool.invokeAll(adds)) {
                    added += add.get() ? 1 : 0;
                }
                assertEquals(1, added, key);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(two.contains("run-0"));
        assertFalse(one.add("run-0"));

        now.addAndGet(60_000);
        assertFalse(one.contains("run-0"), "forgotten after the TTL");
        assertTrue(two.add("run-0"), "an expired key counts as new");
        assertEquals(49, one.purgeExpired());
        assertEquals(1, one.getSize());
    }
}
