package io.collavre.openclaw.bridge.state;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.dedup.PostgresMessageIdRepository;
import io.collavre.openclaw.bridge.ops.StateWriteWaitTimer;
import io.collavre.openclaw.bridge.testing.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.jdbc.ClusteredJdbcAggregationRepository;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PostgreSQL run buffer store and dedup memory against a real PostgreSQL, as several bridges use them. */
class PostgresStateStoreTest {

    static PostgresServer postgres;
    SharedStateDatabase database;
    CamelContext context;
    final List<SharedWriteBehindRunBufferStore> stores = new ArrayList<>();

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
        stores.forEach(SharedWriteBehindRunBufferStore::stop);
        context.stop();
        database.stop();
    }

    SharedWriteBehindRunBufferStore store(String instance) {
        return store(instance, database.dataSource());
    }

    SharedWriteBehindRunBufferStore store(String instance, DataSource dataSource) {
        // A checkpoint interval out of reach: only a hand-over or a completion writes, as the test says.
        SharedWriteBehindRunBufferStore store = new SharedWriteBehindRunBufferStore(dataSource, instance,
                3000, 600_000, 5000, RunStateConfiguration.DESERIALIZATION_FILTER);
        store.setCamelContext(context);
        store.start();
        stores.add(store);
        return store;
    }

    Exchange buffer(String runId, String account, String text) {
        Exchange exchange = WriteBehindRunBufferStoreTest.buffered(context, runId, text, 1);
        exchange.getMessage().setHeader(BridgeHeaders.ACCOUNT, account);
        return exchange;
    }

    static String text(Exchange exchange) {
        return exchange.getMessage().getBody(RunBuffer.class).getText();
    }

    static String query(String sql) throws Exception {
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    @Test
    void anAccountsBuffersAreWrittenWhenItsConnectionStopsAndTakenOverByTheNextBridgeToConnect() throws Exception {
        database.heartbeat();
        SharedWriteBehindRunBufferStore one = store("b1");
        one.add(context, "run-1", buffer("run-1", "alpha", "Half of the answer"));
        one.add(context, "run-2", buffer("run-2", "beta", "Another account's run"));
        assertNull(query("SELECT run_id FROM run_buffer_rows"), "a delta only changes memory");

        assertEquals(Set.of("run-1"), one.handOver("alpha"));
        assertNull(one.get(context, "run-1"), "let go with the account");
        assertEquals("Another account's run", text(one.get(context, "run-2")), "the other account's run stays");
        assertEquals("b1", query("SELECT instance_id FROM run_buffer_rows WHERE run_id = 'run-1'"));

        SharedWriteBehindRunBufferStore two = store("b2");
        assertEquals(Set.of(), two.getKeys(), "a bridge reads no buffer before it reads an account");
        assertEquals(Set.of("run-1"), two.takeOver("alpha"));
        assertEquals("Half of the answer", text(two.get(context, "run-1")));
        assertEquals("alpha", two.get(context, "run-1").getMessage().getHeader(BridgeHeaders.ACCOUNT));
        assertEquals("b2", query("SELECT instance_id FROM run_buffer_rows WHERE run_id = 'run-1'"));
        assertEquals(Set.of(), two.takeOver("beta"), "b1 still holds beta's run, not yet written");

        // A buffer the new owner already has (an event arrived first) is newer than the row: it stays.
        two.add(context, "run-1", buffer("run-1", "alpha", "Half of the answer, and more"));
        assertEquals(Set.of(), two.takeOver("alpha"));
        assertEquals("Half of the answer, and more", text(two.get(context, "run-1")));
    }

    @Test
    void theDeliveriesOfADeadBridgeAreClaimedByExactlyOneSurvivor() throws Exception {
        database.heartbeat();
        SharedWriteBehindRunBufferStore dead = store("b1");
        Exchange completed = buffer("run-2", "alpha", "left unfinished");
        dead.add(context, "run-2", completed);
        dead.remove(context, "run-2", completed);
        dead.awaitWritten(dead.lastWrite());
        assertEquals(Set.of(completed.getExchangeId()), dead.scan(context), "b1 delivers its own run");
        SharedWriteBehindRunBufferStore two = store("b2");
        SharedWriteBehindRunBufferStore three = store("b3");
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
                    assertEquals("left unfinished", text(exchange));
                }
            }
            assertEquals(1, recovered);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCompletedRunsDedupClaimIsCommittedAsItCompletesItsOutboxRowAfterAGatherAndTheDispatchFindsIt()
            throws Exception {
        database.heartbeat();
        SharedWriteBehindRunBufferStore one = store("b1");
        SharedWriteBehindRunBufferStore two = store("b2");
        List.of(one, two).forEach(store -> store.setDispatchedRuns("dispatchedRuns", 60_000));
        Exchange completed = buffer("run-1", "alpha", "All of the answer");
        one.add(context, "run-1", completed);
        one.remove(context, "run-1", completed);
        one.awaitWritten(one.lastWrite());
        assertEquals("run-1", query("SELECT messageId FROM camel_messageprocessed WHERE processorName = 'dispatchedRuns'"),
                "claimed as it completed");
        assertEquals("1", query("SELECT COUNT(*) FROM run_buffer_outbox"),
                "its delivery had not ended after a gather: its outbox row is written");
        long written = one.lastWrite();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        assertTrue(one.claimDispatch("run-1"));
        assertEquals(written, one.lastWrite(), "the dispatch found the answer: no claim of its own to wait for");
        assertEquals(1, meters.get(StateWriteWaitTimer.NAME).timer().count(), "the dispatch's wait is timed");

        // The same run completed on a second bridge: its claim, made with its own outbox row, loses.
        Exchange copy = buffer("run-1", "alpha", "All of the answer");
        two.add(context, "run-1", copy);
        two.remove(context, "run-1", copy);
        assertFalse(two.claimDispatch("run-1"));

        // A run the dispatch skips never asks for its claim: the claim is let go when its delivery ends.
        Exchange skipped = buffer("run-2", "alpha", "");
        one.add(context, "run-2", skipped);
        one.remove(context, "run-2", skipped);
        assertEquals(1, one.earlyClaimsWaiting());
        one.confirm(context, skipped.getExchangeId());
        assertEquals(0, one.earlyClaimsWaiting());
    }

    @Test
    void aRunOfSeveralKilobytesIsWrittenInItsRowsNotMovedToATableOfItsOwn() throws Exception {
        database.heartbeat();
        SharedWriteBehindRunBufferStore store = store("b1");
        // 4 KB of text that does not compress: over PostgreSQL's default 2 KB, a row's long values are compressed
        // and moved to the table's TOAST table, a table and index of their own written with every row.
        Random random = new Random(42);
        StringBuilder text = new StringBuilder();
        while (text.length() < 4096) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        store.add(context, "run-1", buffer("run-1", "alpha", text.toString()));
        store.handOver("alpha");
        Exchange completed = buffer("run-2", "alpha", text.toString());
        store.add(context, "run-2", completed);
        store.remove(context, "run-2", completed);
        store.awaitWritten(store.lastWrite());

        assertEquals("1", query("SELECT COUNT(*) FROM run_buffer_rows"));
        assertEquals("1", query("SELECT COUNT(*) FROM run_buffer_outbox"));
        for (String table : List.of("run_buffer_rows", "run_buffer_outbox")) {
            assertEquals("0", query("SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = '" + table
                    + "'"), table + "'s row is whole in the table: its TOAST table is empty");
        }
    }

    @Test
    void aDispatchWaitingForItsClaimCutsTheWritersGatherShortWhileOtherWritesGather() throws Exception {
        SharedWriteBehindRunBufferStore store = store("b1");
        Exchange completed = claimedWithItsRowHeldBack(store);

        // The delivery ended within the gather. Nothing waits for a confirm: it gathers.
        store.confirm(context, completed.getExchangeId());
        long confirm = store.lastWrite();
        assertFalse(store.awaitWritten(confirm, 1000), "held by the gather");

        // A recovered run's dispatch claims it anew: committed at once, the gathered confirm with it.
        assertTrue(claimWithin(store, "run-recovered", 10));
        // The claim is answered right after the commit, the writer's count of what it committed moves just after.
        assertTrue(store.awaitWritten(confirm, 5000), "committed with the claim, not after the gather");
        assertEquals("0", query("SELECT COUNT(*) FROM run_buffer_outbox"), "a delivery ended before its row: no row");
    }

    @Test
    void aClaimWithNothingElseToWriteIsCommittedByItsStatementAloneAndTheNextWritesInATransactionAgain()
            throws Exception {
        AtomicInteger commits = new AtomicInteger();
        SharedWriteBehindRunBufferStore store = store("b1", countingCommits(database.dataSource(), commits));
        claimedWithItsRowHeldBack(store);
        assertEquals("run-1", query("SELECT messageId FROM camel_messageprocessed"), "committed: seen by another session");
        assertEquals(0, commits.get(), "no COMMIT of its own: one round trip to the server, not two");

        // A write with rows (the account's buffer, and run-1's outbox row it releases): a transaction, committed.
        store.setGatherMillis(0);
        store.add(context, "run-2", buffer("run-2", "alpha", "Half of the answer"));
        store.handOver("alpha");
        assertEquals("run-2", query("SELECT run_id FROM run_buffer_rows"));
        assertEquals("run-1", query("SELECT run_id FROM run_buffer_outbox"));
        assertEquals(1, commits.get());
    }

    /** The pool's connections, counting the COMMITs sent on them. */
    static DataSource countingCommits(DataSource pool, AtomicInteger commits) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (dataSource, method, args) -> {
                    Object answer = invoke(pool, method, args);
                    if (!(answer instanceof Connection connection)) {
                        return answer;
                    }
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (proxy, call, callArgs) -> {
                                if (call.getName().equals("commit")) {
                                    commits.incrementAndGet();
                                }
                                return invoke(connection, call, callArgs);
                            });
                });
    }

    static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void aGracefulStopWritesTheOutboxRowsHeldBackForTheirDeliveries() throws Exception {
        SharedWriteBehindRunBufferStore store = store("b1");
        claimedWithItsRowHeldBack(store);

        store.stop();
        assertEquals("run-1", query("SELECT run_id FROM run_buffer_outbox"),
                "written by the stop: the next start posts it");
    }

    /**
     * With a gather no test waits out (a write committed within seconds was not held by it), completes run-1: its
     * claim is committed at once, its outbox row held back for the gather, in which its delivery may end.
     */
    Exchange claimedWithItsRowHeldBack(SharedWriteBehindRunBufferStore store) throws Exception {
        store.setGatherMillis(600_000);
        store.setDispatchedRuns("dispatchedRuns", 60_000);
        Exchange completed = buffer("run-1", "alpha", "All of the answer");
        store.add(context, "run-1", completed);
        store.remove(context, "run-1", completed);
        assertTrue(claimWithin(store, "run-1", 10), "the run's claim");
        assertEquals("0", query("SELECT COUNT(*) FROM run_buffer_outbox"),
                "its outbox row held back for a gather, in which its delivery may end");
        return completed;
    }

    @Test
    void byDefaultAClaimIsCommittedAsSoonAsTheWriterIsFree() throws Exception {
        // run-b's claim does not wait after run-a's slow commit: a commit of its own; run-c's, 100 ms later, waits
        // only for the writer to be free, then has its own.
        assertEquals("3", claimStatementsOfThreeRuns(store("b1")), "a commit per claim");
    }

    @Test
    void claimsThatComeAfterASlowCommitGatherForAsLongAsItTookAndShareTheNextCommit() throws Exception {
        SharedWriteBehindRunBufferStore store = store("b1");
        // Gathers as long as the last commit took, however long: commits here take a second.
        store.setMaxClaimGatherMillis(60_000);
        // The commit before took a second: run-b's claim waits about that long, and run-c's, 100 ms later, joins it.
        assertEquals("2", claimStatementsOfThreeRuns(store), "run-b's and run-c's claims in one commit");
    }

    /**
     * Completes run-a, then run-b as soon as run-a's claim (a second long) is committed, and run-c 100 ms after it;
     * returns how many claim statements (one per commit that carries claims) were made.
     */
    String claimStatementsOfThreeRuns(SharedWriteBehindRunBufferStore store) throws Exception {
        store.setDispatchedRuns("dispatchedRuns", 60_000);
        claimsTakeASecondEach();
        complete(store, "run-a");
        assertTrue(claimWithin(store, "run-a", 10), "the first claim: no commit before it to wait for");
        complete(store, "run-b");
        Thread.sleep(100);
        complete(store, "run-c");
        assertTrue(claimWithin(store, "run-b", 10));
        assertTrue(claimWithin(store, "run-c", 10));
        return query("SELECT COUNT(*) FROM claim_statements");
    }

    /** Each claim statement (one per commit that carries claims) is counted in claim_statements, and takes a second. */
    void claimsTakeASecondEach() throws Exception {
        try (Connection connection = postgres.connect(); Statement sql = connection.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS claim_statements");
            sql.execute("CREATE TABLE claim_statements (at timestamptz)");
            sql.execute("CREATE OR REPLACE FUNCTION slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO claim_statements VALUES (clock_timestamp()); PERFORM pg_sleep(1); RETURN NULL;"
                        + " END $$");
            sql.execute("CREATE TRIGGER slow_claim AFTER INSERT ON camel_messageprocessed FOR EACH STATEMENT"
                        + " EXECUTE FUNCTION slow_claim()");
        }
    }

    void complete(SharedWriteBehindRunBufferStore store, String runId) {
        Exchange completed = buffer(runId, "alpha", "The answer of " + runId);
        store.add(context, runId, completed);
        store.remove(context, runId, completed);
    }

    static boolean claimWithin(SharedWriteBehindRunBufferStore store, String runId, long seconds) throws Exception {
        return CompletableFuture.supplyAsync(() -> store.claimDispatch(runId)).get(seconds, TimeUnit.SECONDS);
    }

    @Test
    void anUpgradeMovesWhatCamelsClusteredRepositoryLeftIntoTheWriteBehindTables() throws Exception {
        // The tables of the PostgreSQL store before write-behind, written by Camel's own repository.
        try (Connection connection = postgres.connect(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE run_buffers (id VARCHAR(255) NOT NULL PRIMARY KEY, exchange BYTEA NOT NULL,"
                        + " version BIGINT NOT NULL)");
            sql.execute("CREATE TABLE run_buffers_completed (id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " exchange BYTEA NOT NULL, version BIGINT NOT NULL, instance_id VARCHAR(255))");
        }
        ClusteredJdbcAggregationRepository legacy = new ClusteredJdbcAggregationRepository(
                new DataSourceTransactionManager(database.dataSource()), "run_buffers", database.dataSource());
        legacy.setInstanceId("b0");
        legacy.setRecoveryByInstance(true);
        legacy.setDeserializationFilter(RunStateConfiguration.DESERIALIZATION_FILTER);
        legacy.start();
        legacy.add(context, "run-open", buffer("run-open", "alpha", "Half of the"));
        legacy.add(context, "run-unfinished", buffer("run-unfinished", "alpha", "Delivered after the upgrade"));
        Exchange completed = legacy.get(context, "run-unfinished");
        legacy.remove(context, "run-unfinished", completed);
        legacy.stop();

        database.heartbeat();
        SharedWriteBehindRunBufferStore store = store("b1");
        assertEquals(Set.of("run-open"), store.takeOver("alpha"));
        assertEquals("Half of the", text(store.get(context, "run-open")));
        assertEquals(Set.of(completed.getExchangeId()), store.scan(context));
        assertEquals("Delivered after the upgrade", text(store.recover(context, completed.getExchangeId())));
        assertEquals("0", query("SELECT COUNT(*) FROM run_buffers"));
        assertEquals("0", query("SELECT COUNT(*) FROM run_buffers_completed"));
    }

    @Test
    void runsClaimedByTheWritersOfSeveralBridgesAtOnceAreEachClaimedOnce() throws Exception {
        List<SharedWriteBehindRunBufferStore> bridges = List.of(store("b1"), store("b2"));
        bridges.forEach(store -> store.setDispatchedRuns("dispatchedRuns", 60_000));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> claims = new ArrayList<>();
            for (int run = 0; run < 50; run++) {
                for (int i = 0; i < 4; i++) {
                    // Each run claimed twice by each bridge, so that a batch may hold the same run twice.
                    SharedWriteBehindRunBufferStore store = bridges.get(i % 2);
                    String key = "run-" + run;
                    claims.add(() -> store.claimDispatch(key));
                }
            }
            int claimed = 0;
            for (Future<Boolean> claim : pool.invokeAll(claims)) {
                claimed += claim.get() ? 1 : 0;
            }
            assertEquals(50, claimed, "each run claimed by one bridge, once");
        } finally {
            pool.shutdownNow();
        }
        assertFalse(bridges.get(0).claimDispatch("run-0"));
        try (Connection connection = postgres.connect(); Statement sql = connection.createStatement()) {
            sql.execute("UPDATE camel_messageprocessed SET createdAt = createdAt - interval '61 seconds'"
                        + " WHERE messageId = 'run-0'");
        }
        assertTrue(bridges.get(1).claimDispatch("run-0"), "a claim older than the TTL counts as new");
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
