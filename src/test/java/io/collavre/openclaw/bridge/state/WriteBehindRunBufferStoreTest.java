package io.collavre.openclaw.bridge.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.dedup.WrittenBehindIdempotentRepository;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.support.DefaultExchange;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write-behind store on an H2 file: what reaches the database when, and what a new store reads back. */
class WriteBehindRunBufferStoreTest {

    @TempDir
    Path dir;

    JdbcConnectionPool pool;
    DefaultCamelContext context = new DefaultCamelContext();

    @BeforeEach
    void openDatabase() throws Exception {
        pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("state") + ";TRACE_LEVEL_FILE=0", "sa", "");
        try (Connection connection = pool.getConnection()) {
            WriteBehindRunBufferStore.createSchema(connection);
        }
    }

    /** Every store a test makes: stopped after it, before the pool goes (a writer left running outlives the test). */
    final List<WriteBehindRunBufferStore> stores = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        stores.forEach(WriteBehindRunBufferStore::stop);
        context.close();
        pool.dispose();
    }

    WriteBehindRunBufferStore newStore(long checkpointMs) {
        WriteBehindRunBufferStore store = new WriteBehindRunBufferStore(pool, checkpointMs,
                RunStateConfiguration.DESERIALIZATION_FILTER);
        stores.add(store);
        return store;
    }

    WriteBehindRunBufferStore store() {
        WriteBehindRunBufferStore store = newStore(60_000);
        store.setCamelContext(context);
        store.start();
        return store;
    }

    long count(String table) throws Exception {
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static Exchange buffered(CamelContext context, String runId, String text, long seq) {
        Exchange exchange = new DefaultExchange(context);
        RunBuffer buffer = new RunBuffer(runId, "42", "agent:a:collavre:42:creative:1", Instant.now());
        buffer.mergeDelta(seq, text);
        exchange.getMessage().setBody(buffer);
        exchange.getMessage().setHeader(BridgeHeaders.RUN_ID, runId);
        exchange.getMessage().setHeader(BridgeHeaders.ACCOUNT, "default");
        exchange.getMessage().setHeader(BridgeHeaders.STATE, "delta");
        return exchange;
    }

    @Test
    void deltasReachTheDatabaseAtTheCheckpointOneRowPerRunAndANewStoreReadsThemBack() throws Exception {
        WriteBehindRunBufferStore store = store();
        store.add(context, "run-1", buffered(context, "run-1", "Half", 1));
        store.add(context, "run-1", buffered(context, "run-1", "Half of it", 2));
        store.add(context, "run-2", buffered(context, "run-2", "Other", 1));
        assertEquals(0, count(WriteBehindRunBufferStore.BUFFERS), "nothing written before the checkpoint");

        store.checkpoint();
        assertEquals(2, count(WriteBehindRunBufferStore.BUFFERS));

        // A crash: the store is dropped unstopped; a new one reads the checkpoint back.
        WriteBehindRunBufferStore restarted = store();
        Exchange back = restarted.get(context, "run-1");
        assertEquals("Half of it", back.getMessage().getBody(RunBuffer.class).getText());
        assertEquals("default", back.getMessage().getHeader(BridgeHeaders.ACCOUNT));
        assertEquals("run-1", back.getMessage().getHeader(BridgeHeaders.RUN_ID));
        assertEquals(2, restarted.getKeys().size());
        // The seq is kept: an older delta is behind the restored buffer.
        assertEquals(true, back.getMessage().getBody(RunBuffer.class).isBehind(2L));

        // A run read back and completed: its row goes with its outbox row's write. One that completes before any
        // checkpoint never had a row.
        restarted.remove(context, "run-1", back);
        Exchange quick = buffered(context, "run-3", "Done before any checkpoint", 1);
        restarted.add(context, "run-3", quick);
        restarted.remove(context, "run-3", quick);
        restarted.awaitWritten(restarted.lastWrite());
        assertEquals(1, count(WriteBehindRunBufferStore.BUFFERS), "run-2's row only");
        assertEquals(2, count(WriteBehindRunBufferStore.OUTBOX));
    }

    List<String> bufferRows() throws Exception {
        List<String> runs = new ArrayList<>();
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT run_id FROM " + WriteBehindRunBufferStore.BUFFERS
                                               + " ORDER BY run_id")) {
            while (rows.next()) {
                runs.add(rows.getString(1));
            }
        }
        return runs;
    }

    @Test
    void aRunIsWrittenWhenItsOldestUnwrittenChangeIsNearlyAnIntervalOldAndARunCompletedSoonerNever() throws Exception {
        long intervalMs = 1000;
        WriteBehindRunBufferStore store = newStore(intervalMs);
        store.setCamelContext(context);
        store.start();
        try {
            long changed = System.nanoTime();
            store.add(context, "run-long", buffered(context, "run-long", "Still", 1));
            // Short runs, one every 100 ms for 2.5 s, each completed 250 ms after its first delta: at any moment a
            // few are open, so a checkpoint of every changed run each interval would write some of them.
            List<Exchange> open = new ArrayList<>();
            for (int run = 0; run < 25; run++) {
                Exchange quick = buffered(context, "run-quick-" + run, "Done within the interval", 1);
                store.add(context, "run-quick-" + run, quick);
                open.add(quick);
                if (open.size() == 3) {
                    Exchange done = open.remove(0);
                    store.remove(context, done.getMessage().getHeader(BridgeHeaders.RUN_ID, String.class), done);
                }
                store.add(context, "run-long", buffered(context, "run-long", "Still going " + run, 2 + run));
                // The time between deltas is what this test is about: nothing to wait for instead.
                TimeUnit.MILLISECONDS.sleep(100);
            }
            for (Exchange done : open) {
                store.remove(context, done.getMessage().getHeader(BridgeHeaders.RUN_ID, String.class), done);
            }
            store.awaitWritten(store.lastWrite());

            assertEquals(List.of("run-long"), bufferRows(), "only the run open for longer than the interval");
            assertEquals(25, count(WriteBehindRunBufferStore.OUTBOX), "the completed runs are in the outbox");
            long writes = store.bufferRowWrites();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
            // The long run's changes, each written when nearly an interval old: at most one write per 0.9 interval.
            assertTrue(writes >= 1 && writes <= elapsedMs / (intervalMs - intervalMs / 10),
                    writes + " rows written in " + elapsedMs + " ms");

            // Once all its changes are written, a new one is due an interval after it, as the first one was.
            await().atMost(Duration.ofSeconds(10)).until(() -> "Still going 24".equals(bufferText("run-long")));
            long changedAgain = System.nanoTime();
            store.add(context, "run-long", buffered(context, "run-long", "Still going on", 100));
            await().atMost(Duration.ofSeconds(10)).until(() -> "Still going on".equals(bufferText("run-long")));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changedAgain);
            assertTrue(waitedMs >= intervalMs - intervalMs / 10, "written after " + waitedMs + " ms");
        } finally {
            store.stop();
        }
    }

    /** The text of a run's buffer row, as the last checkpoint wrote it; null without a row. */
    String bufferText(String runId) throws Exception {
        try (Connection connection = pool.getConnection();
             java.sql.PreparedStatement select = connection.prepareStatement(
                     "SELECT buffer FROM " + WriteBehindRunBufferStore.BUFFERS + " WHERE run_id = ?")) {
            select.setString(1, runId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                        new java.io.ByteArrayInputStream(rows.getBytes(1)))) {
                    return ((RunBuffer) in.readObject()).getText();
                }
            }
        }
    }

    @Test
    void aCompletedRunIsWrittenToTheOutboxRecoveredWithItsExchangeIdAndGoneOnceConfirmed() throws Exception {
        WriteBehindRunBufferStore store = store();
        Exchange completed = buffered(context, "run-1", "Whole answer", 3);
        store.add(context, "run-1", completed);
        store.checkpoint();
        store.remove(context, "run-1", completed);
        store.awaitWritten(store.lastWrite());
        assertEquals(0, count(WriteBehindRunBufferStore.BUFFERS));
        assertEquals(1, count(WriteBehindRunBufferStore.OUTBOX));
        assertNull(store.get(context, "run-1"));

        // A checkpoint after the completion never writes the run back.
        store.checkpoint();
        assertEquals(0, count(WriteBehindRunBufferStore.BUFFERS));

        WriteBehindRunBufferStore restarted = store();
        assertEquals(java.util.Set.of(completed.getExchangeId()), restarted.scan(context));
        Exchange recovered = restarted.recover(context, completed.getExchangeId());
        assertEquals("Whole answer", recovered.getMessage().getBody(RunBuffer.class).getText());
        assertEquals("run-1", recovered.getMessage().getHeader(BridgeHeaders.RUN_ID));

        restarted.confirm(context, completed.getExchangeId());
        restarted.awaitWritten(restarted.lastWrite());
        assertEquals(0, count(WriteBehindRunBufferStore.OUTBOX));
    }

    @Test
    void aDeliveryThatEndsBeforeTheCommitOfItsOutboxRowNeverHasTheRowWritten() throws Exception {
        try (Connection connection = pool.getConnection()) {
            OutboxRowsWritten.install(connection);
        }
        // Not started yet: its writer takes every write queued so far into its first commit.
        WriteBehindRunBufferStore store = newStore(60_000);
        store.setCamelContext(context);
        Exchange delivered = buffered(context, "run-delivered", "Posted before the commit", 1);
        store.add(context, "run-delivered", delivered);
        store.remove(context, "run-delivered", delivered);
        store.confirm(context, delivered.getExchangeId());
        Exchange waiting = buffered(context, "run-waiting", "Still waiting for Collavre", 1);
        store.add(context, "run-waiting", waiting);
        store.remove(context, "run-waiting", waiting);

        store.start();
        store.awaitWritten(store.lastWrite());
        assertEquals(1, OutboxRowsWritten.COUNT.get(), "the row of the delivery still going only");
        assertEquals(java.util.Set.of(waiting.getExchangeId()), store.scan(context));
        assertEquals("Still waiting for Collavre",
                store.recover(context, waiting.getExchangeId()).getMessage().getBody(RunBuffer.class).getText());
    }

    @Test
    void aDeliveryThatEndedIsNotRecoveredWhileItsOutboxRowWaitsToBeDeleted() throws Exception {
        WriteBehindRunBufferStore store = store();
        Exchange completed = buffered(context, "run-1", "Delivered once", 1);
        store.add(context, "run-1", completed);
        store.remove(context, "run-1", completed);
        store.awaitWritten(store.lastWrite());

        // A store whose writer never runs: the confirm stays queued and the row stays in the table.
        WriteBehindRunBufferStore notWriting = newStore(60_000);
        assertEquals(java.util.Set.of(completed.getExchangeId()), notWriting.scan(context));
        notWriting.confirm(context, completed.getExchangeId());
        assertEquals(1, count(WriteBehindRunBufferStore.OUTBOX));
        assertEquals(java.util.Set.of(), notWriting.scan(context), "the Aggregator's recovery would post it again");
        assertNull(notWriting.recover(context, completed.getExchangeId()));
    }

    String columnType(String table, String column) throws Exception {
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = '"
                                               + table.toUpperCase() + "' AND COLUMN_NAME = '" + column + "'")) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    /** The plan H2 makes for a statement on the dedup table, as EXPLAIN gives it. */
    String plan(Connection connection, String statement) throws Exception {
        try (Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery("EXPLAIN " + statement)) {
            rows.next();
            return rows.getString(1);
        }
    }

    @Test
    void theDedupTableOfAnEarlierBuildGetsItsExpiryIndexLosesItsKeyIndexAndKeepsItsRows() throws Exception {
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            // The table as a build before the expiry index left it, with a key in it.
            sql.execute("DROP TABLE " + WriteBehindRunBufferStore.DEDUP);
            sql.execute("CREATE TABLE " + WriteBehindRunBufferStore.DEDUP + " (processorName VARCHAR(255),"
                        + " messageId VARCHAR(255), createdAt TIMESTAMP)");
            sql.execute("INSERT INTO " + WriteBehindRunBufferStore.DEDUP
                        + " VALUES ('dispatched-runs', 'run-1', CURRENT_TIMESTAMP)");
            String expiry = "DELETE FROM " + WriteBehindRunBufferStore.DEDUP + " WHERE createdAt <= CURRENT_TIMESTAMP"
                            + " AND processorName IN ('dispatched-runs', 'dispatched-runs:removed')";
            assertTrue(plan(connection, expiry).contains("tableScan"), plan(connection, expiry));
            // And the key index a later build added.
            sql.execute("CREATE INDEX camel_messageprocessed_key ON " + WriteBehindRunBufferStore.DEDUP
                        + " (messageId, processorName)");

            WriteBehindRunBufferStore.createSchema(connection);

            // The expiry reads only the rows it deletes, not the whole table; no index on the key is kept up.
            assertTrue(plan(connection, expiry).contains("CAMEL_MESSAGEPROCESSED_CREATED"), plan(connection, expiry));
            assertEquals(List.of("CAMEL_MESSAGEPROCESSED_CREATED"), indexes(connection, WriteBehindRunBufferStore.DEDUP));
            assertEquals(1, count(WriteBehindRunBufferStore.DEDUP));
        }
    }

    List<String> indexes(Connection connection, String table) throws Exception {
        List<String> names = new ArrayList<>();
        try (Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_NAME = '"
                                               + table + "' ORDER BY INDEX_NAME")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    @Test
    void aDedupKeyRemovedAfterItWasAddedIsNotRememberedAtTheNextStartAndOneAddedAgainIs() throws Exception {
        WriteBehindRunBufferStore store = store();
        WrittenBehindIdempotentRepository.Writes keys = store.dispatchedRunWrites("dispatchedRuns", 60_000);
        keys.added("run-1");
        keys.added("run-2");
        keys.removed("run-2");
        keys.added("run-3");
        keys.removed("run-3");
        keys.added("run-3");
        store.awaitWritten(store.lastWrite());
        store.stop();
        assertEquals(6, count(WriteBehindRunBufferStore.DEDUP), "every change a row of its own, none updated in place");

        List<String> remembered = new ArrayList<>();
        store().dispatchedRunWrites("dispatchedRuns", 60_000).rememberedKeys().forEach(remembered::add);
        assertEquals(List.of("run-1", "run-3"), remembered);
    }

    @Test
    void theTablesOfABuildThatKeptBlobsAreConvertedToVarbinaryWithTheirRows() throws Exception {
        // The layout of the first write-behind build: the serialized buffer and exchange as BLOBs.
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            sql.execute("DROP TABLE " + WriteBehindRunBufferStore.BUFFERS);
            sql.execute("DROP TABLE " + WriteBehindRunBufferStore.OUTBOX);
            sql.execute("CREATE TABLE " + WriteBehindRunBufferStore.BUFFERS + " (run_id VARCHAR(255) NOT NULL PRIMARY"
                        + " KEY, account VARCHAR(255), owner_id VARCHAR(255), session_key VARCHAR(1024), state"
                        + " VARCHAR(32), buffer BLOB NOT NULL, updated_at TIMESTAMP NOT NULL, instance_id VARCHAR(255))");
            sql.execute("CREATE TABLE " + WriteBehindRunBufferStore.OUTBOX + " (exchange_id VARCHAR(255) NOT NULL"
                        + " PRIMARY KEY, run_id VARCHAR(255) NOT NULL, exchange BLOB NOT NULL, completed_at TIMESTAMP"
                        + " NOT NULL, instance_id VARCHAR(255))");
        }
        WriteBehindRunBufferStore before = store();
        before.add(context, "run-open", buffered(context, "run-open", "Half of the", 2));
        Exchange completed = buffered(context, "run-done", "Delivered after the upgrade", 5);
        before.add(context, "run-done", completed);
        before.remove(context, "run-done", completed);
        before.stop();
        assertEquals("BINARY LARGE OBJECT", columnType(WriteBehindRunBufferStore.BUFFERS, "BUFFER"));

        try (Connection connection = pool.getConnection()) {
            WriteBehindRunBufferStore.createSchema(connection);
        }
        assertEquals("BINARY VARYING", columnType(WriteBehindRunBufferStore.BUFFERS, "BUFFER"));
        assertEquals("BINARY VARYING", columnType(WriteBehindRunBufferStore.OUTBOX, "EXCHANGE"));
        WriteBehindRunBufferStore after = store();
        assertEquals("Half of the", after.get(context, "run-open").getMessage().getBody(RunBuffer.class).getText());
        Exchange recovered = after.recover(context, completed.getExchangeId());
        assertEquals("Delivered after the upgrade", recovered.getMessage().getBody(RunBuffer.class).getText());
        after.stop();
    }

    @Test
    void anUpgradeMovesTheOpenBuffersAndUnfinishedDeliveriesOfTheStoreBeforeWriteBehind() throws Exception {
        // What the embedded store left before write-behind: Camel's JDBC aggregation repository tables.
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            for (String table : new String[] {WriteBehindRunBufferStore.LEGACY_BUFFERS,
                    WriteBehindRunBufferStore.LEGACY_COMPLETED}) {
                sql.execute("CREATE TABLE " + table + " (id VARCHAR(255) NOT NULL PRIMARY KEY,"
                            + " exchange BLOB NOT NULL, version BIGINT NOT NULL)");
            }
        }
        JdbcAggregationRepository legacy = new JdbcAggregationRepository(new DataSourceTransactionManager(pool),
                WriteBehindRunBufferStore.LEGACY_BUFFERS, pool);
        legacy.setDeserializationFilter(RunStateConfiguration.DESERIALIZATION_FILTER);
        legacy.start();
        legacy.add(context, "run-open", buffered(context, "run-open", "Half of the", 2));
        legacy.add(context, "run-unfinished", buffered(context, "run-unfinished", "Delivered after the upgrade", 5));
        // As the Aggregator does: the stored exchange (with its version) is the one completed.
        Exchange completed = legacy.get(context, "run-unfinished");
        legacy.remove(context, "run-unfinished", completed);
        legacy.stop();

        WriteBehindRunBufferStore store = store();

        assertEquals("Half of the", store.get(context, "run-open").getMessage().getBody(RunBuffer.class).getText());
        assertEquals(1, count(WriteBehindRunBufferStore.BUFFERS), "the open buffer is a row of the new store");
        assertEquals(java.util.Set.of(completed.getExchangeId()), store.scan(context));
        Exchange recovered = store.recover(context, completed.getExchangeId());
        assertEquals("Delivered after the upgrade", recovered.getMessage().getBody(RunBuffer.class).getText());
        assertEquals(0, count(WriteBehindRunBufferStore.LEGACY_BUFFERS));
        assertEquals(0, count(WriteBehindRunBufferStore.LEGACY_COMPLETED));
    }

    @Test
    void aBufferReadBackCarriesWhatIsLeftOfItsTtlForTheAggregatorsTimeout() throws Exception {
        WriteBehindRunBufferStore first = store();
        first.add(context, "run-1", buffered(context, "run-1", "Half", 1));
        first.checkpoint();
        first.stop();

        WriteBehindRunBufferStore withTtl = newStore(60_000);
        withTtl.setCamelContext(context);
        withTtl.setBufferTtlMillis(600_000);
        withTtl.start();
        long left = withTtl.get(context, "run-1").getProperty(ExchangePropertyKey.AGGREGATED_TIMEOUT, 0L, Long.class);
        withTtl.stop();
        assertTrue(left > 590_000 && left <= 600_000, "the TTL less the time since the checkpoint: " + left);

        WriteBehindRunBufferStore withoutTtl = store();
        assertNull(withoutTtl.get(context, "run-1").getProperty(ExchangePropertyKey.AGGREGATED_TIMEOUT),
                "no TTL given: no timeout");
        withoutTtl.stop();
    }
}
