package io.collavre.openclaw.bridge.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.dedup.WrittenBehindIdempotentRepository;
import io.collavre.openclaw.bridge.ops.StateBufferWrites;
import io.collavre.openclaw.bridge.ops.StateWriteWaitTimer;
import io.micrometer.core.instrument.FunctionCounter;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.processor.aggregate.jdbc.JdbcCamelCodec;
import org.apache.camel.spi.RecoverableAggregationRepository;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultExchangeHolder;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run buffers in memory, written behind to a database (the embedded store): the Aggregator reads and updates the
 * buffers in a map, a run's buffer is written once its oldest change not yet written is nearly {@code checkpointMs}
 * old (one row per run however many deltas it got, the runs due written together), and read back at start. A run
 * that completes sooner is never written as a buffer: its outbox row holds it. A completed run is written once, as
 * an outbox row, by the next group commit, and deleted when its delivery ends (confirm); Camel's recovery hands
 * outbox rows left by a crash to the delivery again, same exchange and so same Idempotency-Key. Every write is made
 * by one writer thread, in order, as a group commit: the outbox rows and confirms waiting when it wakes share one
 * transaction, with the checkpoint when one is due. Neither the Gateway reader nor the first post waits for the
 * disk: a crash before the outbox row's commit loses the run unless that post got through first, and waiting for
 * the commit would only have made the post later. (With several bridges the dispatch waits for its dedup claim,
 * made with the next commit: {@link #claimDispatch}; the outbox row follows once the delivery has gone on for a
 * gather, as here.)
 *
 * <p>What a crash ({@code kill -9}) loses: the deltas of the last checkpoint interval of open runs, and a run
 * completed in the last moments (one group commit, 20-25 ms) before its outbox row was written, unless its first post
 * got through: like a frame in flight, which the Gateway never sends again either. The Gateway
 * sends cumulative deltas, so the next delta of such a run brings the text back whole; only a run whose final is
 * empty and arrives after the crash is posted with the text of the last checkpoint. A graceful stop writes every
 * buffer first.
 *
 * <p>A buffer row is plain columns (run id, account, owner, session key, state, updated-at) beside the serialized
 * {@link RunBuffer} (its text, seq and overflow state), never a serialized Exchange.
 */
public class WriteBehindRunBufferStore extends ServiceSupport implements RecoverableAggregationRepository {

    private static final Logger LOG = LoggerFactory.getLogger(WriteBehindRunBufferStore.class);

    static final String BUFFERS = "run_buffer_rows";
    static final String OUTBOX = "run_buffer_outbox";
    /** The tables of the store before write-behind (Camel's JdbcAggregationRepository), read once at an upgrade. */
    static final String LEGACY_BUFFERS = "run_buffers";
    static final String LEGACY_COMPLETED = "run_buffers_completed";
    /** Camel's JDBC idempotent repository table, where the dedup memory's keys are written. */
    static final String DEDUP = "CAMEL_MESSAGEPROCESSED";
    /**
     * The processor name of a dedup key's removal, after the dedup memory's own: a removal is a row of its own, so
     * that the table needs no index on the key ({@link #createSchema}); reading the rows back replays both in order.
     */
    private static final String DEDUP_REMOVED = ":removed";

    /** The processor name of the rows that remove keys of the dedup memory named {@code processorName}. */
    static String removalsOf(String processorName) {
        return processorName + DEDUP_REMOVED;
    }
    private static final long DEDUP_EXPIRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** At most this many writes in one transaction: a long backlog is written in several. */
    private static final int MAX_BATCH = 1000;
    /** At most this many changed runs in one transaction of a checkpoint. */
    static final int CHECKPOINT_CHUNK = 200;
    /**
     * After a group commit, the writes of this long wait to share the next one. Each commit rewrites the database
     * pages it changed (with H2, its store's pages) however few writes it holds: committing whenever a write came
     * made most of the writer's time per-commit work under load (with H2, 20 ms instead of 5 took 40% fewer of the
     * commit's samples). Nothing waits for these writes but a dedup claim, which cuts the gather short; the longer
     * they gather, the more deliveries end before their outbox row's commit, which then writes no row.
     */
    static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * The longest a dedup claim waits for others to share its commit ({@link #claimGatherNanos}) unless set otherwise
     * ({@code bridge.db.claim-gather-max-ms}): none, the claim is committed as soon as the writer is free.
     */
    static final long MAX_CLAIM_GATHER_NANOS = 0;

    private final DataSource dataSource;
    private final long checkpointMs;
    /** {@link #GATHER_NANOS}; a test sets another. */
    private volatile long gatherNanos = GATHER_NANOS;
    /** {@link #MAX_CLAIM_GATHER_NANOS} unless set. */
    private volatile long maxClaimGatherNanos = MAX_CLAIM_GATHER_NANOS;
    private final String deserializationFilter;
    private final JdbcCamelCodec codec = new JdbcCamelCodec();
    private final Map<String, Exchange> buffers = new ConcurrentHashMap<>();
    /** Deliveries that ended, whose outbox rows the writer has not deleted yet. */
    private final Set<String> confirming = ConcurrentHashMap.newKeySet();
    /**
     * Dedup claims made with a completed run's outbox row, by run id, until its dispatch asks for the answer (or its
     * delivery ends without asking: a run the dispatch skips); and the run ids by the completed exchange's id.
     */
    private final Map<String, CompletableFuture<Boolean>> earlyClaims = new ConcurrentHashMap<>();
    private final Map<String, String> earlyClaimRuns = new ConcurrentHashMap<>();
    /**
     * Runs that may have a buffer row: written by a checkpoint (or attempted), or read from one. A run that completes
     * before its first checkpoint, as most short runs do, has no row to delete.
     */
    private final Set<String> rowWritten = ConcurrentHashMap.newKeySet();
    /**
     * Runs changed since their last write, each with the {@link System#nanoTime} of its oldest change not written
     * yet: the checkpoint writes a run when that change is due ({@link #checkpointDue}).
     */
    private final Map<String, Long> dirty = new ConcurrentHashMap<>();
    /** Buffer rows written (attempted) so far: what the checkpoints cost ({@link StateBufferWrites}). */
    private final AtomicLong bufferRowWrites = new AtomicLong();
    private FunctionCounter bufferRowWritesMeter;
    /** Outbox rows, confirms and dedup keys waiting for the writer, in the order they were made. */
    private final Queue<Write> writes = new ConcurrentLinkedQueue<>();
    /**
     * Outbox rows the writer holds back until their run has waited a gather for its delivery, by exchange id, oldest
     * first (its own thread only). Only with a shared dedup memory ({@link #claimsOnCompletion}): its claims keep the
     * writer committing back to back, which wrote nearly every completed run's row (and deleted it a few ms later,
     * when its delivery ended); held, a row is written only for a delivery still going on after the gather.
     */
    private final Map<String, Write> heldOutbox = new LinkedHashMap<>();
    /** The number of the last write the writer took from the queue (its own thread only). */
    private long lastTaken;
    /** Numbers the writes: a caller waits until the writer committed the number it got. */
    private final AtomicLong written = new AtomicLong();
    private final Object progress = new Object();
    private long committed;
    private volatile boolean writing;
    /** True while the writer lets writes gather after a commit: they need not wake it. */
    private volatile boolean gathering;
    /**
     * True while a dedup claim waits for the writer: a dispatch waits for its answer, so the writer lets writes gather
     * only as long as its last commit took ({@link #claimGatherNanos}), not the whole gather.
     */
    private volatile boolean claimWaiting;
    /** The writer's connection and statements, kept between transactions (its own thread only). */
    private Statements statements;
    /** When the writer last committed waiting writes (its own thread only). */
    private long lastCommitNanos = System.nanoTime() - GATHER_NANOS;
    /** How long that commit took (its own thread only): how long claims gather before the next one. */
    private long lastCommitTookNanos;
    private Thread writer;
    private volatile String dedupProcessor;
    /** proactive.buffer-ttl-seconds, in ms: a buffer read back is purged that long after its last write. */
    private volatile long bufferTtlMillis;
    private volatile long dedupTtlMillis;
    /** When the writer last deleted expired dedup keys (a batch of a few seconds of keys: often enough). */
    private long lastDedupExpiry = System.nanoTime();
    private CamelContext camelContext;
    /** What the waits of completed runs for their commit add to their delivery (a metric). */
    private volatile StateWriteWaitTimer writeWait = new StateWriteWaitTimer(null);
    private long recoveryInterval = 5000;
    private boolean useRecovery = true;
    private String deadLetterUri;
    private int maximumRedeliveries;

    public WriteBehindRunBufferStore(DataSource dataSource, long checkpointMs, String deserializationFilter) {
        if (checkpointMs <= 0) {
            throw new IllegalArgumentException("checkpointMs must be positive, was " + checkpointMs);
        }
        this.dataSource = dataSource;
        this.checkpointMs = checkpointMs;
        this.deserializationFilter = deserializationFilter;
    }

    /**
     * Creates the H2 tables when missing. The serialized buffers and exchanges are VARBINARY, kept in the row: as
     * BLOBs H2 kept each in large-object maps of their own, which every commit wrote too, and a thread cleaned up
     * (in a recording, the writer's samples went from 27% to 22% of the frame threads').
     */
    public static void createSchema(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE IF NOT EXISTS " + BUFFERS + " (run_id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " account VARCHAR(255), owner_id VARCHAR(255), session_key VARCHAR(1024), state VARCHAR(32),"
                        + " buffer VARBINARY NOT NULL, updated_at TIMESTAMP NOT NULL, instance_id VARCHAR(255))");
            sql.execute("CREATE TABLE IF NOT EXISTS " + OUTBOX + " (exchange_id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " run_id VARCHAR(255) NOT NULL, exchange VARBINARY NOT NULL, completed_at TIMESTAMP NOT NULL,"
                        + " instance_id VARCHAR(255))");
            // Tables written by a build before the column (the same layout as the PostgreSQL schema's).
            sql.execute("ALTER TABLE " + BUFFERS + " ADD COLUMN IF NOT EXISTS instance_id VARCHAR(255)");
            sql.execute("ALTER TABLE " + OUTBOX + " ADD COLUMN IF NOT EXISTS instance_id VARCHAR(255)");
            // Tables written by a build that kept them as BLOBs: converted once, the rows kept.
            for (String[] column : new String[][] {{BUFFERS, "buffer"}, {OUTBOX, "exchange"}}) {
                if (isLargeObject(connection, column[0], column[1])) {
                    sql.execute("ALTER TABLE " + column[0] + " ALTER COLUMN " + column[1] + " SET DATA TYPE VARBINARY");
                }
            }
            // Camel's JdbcMessageIdRepository table (with message ids up to 255 chars), as the store used before.
            sql.execute("CREATE TABLE IF NOT EXISTS " + DEDUP + " (processorName VARCHAR(255),"
                        + " messageId VARCHAR(255), createdAt TIMESTAMP)");
            // Without it (tables of a build before) every expiry read the whole table: at 1,000 runs/s, 60,000 rows
            // every few seconds, in bursts of the writer's CPU and garbage, through H2's page cache.
            sql.execute("CREATE INDEX IF NOT EXISTS camel_messageprocessed_created ON " + DEDUP + " (createdAt)");
            // No index on the key: every key went to a random leaf of it, which the next commit rewrote (half of the
            // writer's CPU at 1,000 runs/s). Keys are only ever read back all together; a removal is a row of its own.
            sql.execute("DROP INDEX IF EXISTS camel_messageprocessed_key");
        }
    }

    private static boolean isLargeObject(Connection connection, String table, String column) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                + " WHERE TABLE_SCHEMA = SCHEMA() AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
            select.setString(1, table.toUpperCase(Locale.ROOT));
            select.setString(2, column.toUpperCase(Locale.ROOT));
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() && "BINARY LARGE OBJECT".equals(rows.getString(1));
            }
        }
    }

    public long getCheckpointMs() {
        return checkpointMs;
    }

    /** How long writes gather after a commit: for tests, which tell a claim's commit from the others' by it. */
    void setGatherMillis(long gatherMs) {
        this.gatherNanos = TimeUnit.MILLISECONDS.toNanos(gatherMs);
    }

    /** The longest claims gather after a commit, as long as it took (bridge.db.claim-gather-max-ms); 0: none. */
    void setMaxClaimGatherMillis(long maxClaimGatherMs) {
        if (maxClaimGatherMs < 0) {
            throw new IllegalArgumentException("maxClaimGatherMs must not be negative, was " + maxClaimGatherMs);
        }
        this.maxClaimGatherNanos = TimeUnit.MILLISECONDS.toNanos(maxClaimGatherMs);
    }

    @Override
    public Exchange add(CamelContext context, String key, Exchange exchange) {
        camelContext = context;
        Exchange previous = buffers.put(key, exchange);
        // Most deltas find their run marked already: a read, where a put locks the map's bin every time. The
        // first change since the run's last write keeps its time.
        if (!dirty.containsKey(key)) {
            dirty.putIfAbsent(key, System.nanoTime());
        }
        return previous;
    }

    @Override
    public Exchange get(CamelContext context, String key) {
        return buffers.get(key);
    }

    /** What a write does. */
    enum Kind { OUTBOX, CONFIRM, DEDUP_ADD, DEDUP_REMOVE, FLUSH_ACCOUNT, DISPATCH_CLAIM }

    /**
     * A write for the writer thread: a completed run's outbox row (its buffer row deleted), a confirm (the outbox row
     * deleted), a key of the dedup memory added or removed, an account's changed buffers written now (id = the
     * account), or a run id claimed in a dedup memory several bridges share ({@code claimed} completed with the
     * answer once committed).
     */
    private record Write(long number, Kind kind, String runId, String id, DefaultExchangeHolder exchange, long at,
                         CompletableFuture<Boolean> claimed) {
    }

    /**
     * The run completed: its buffer row goes and its outbox row is written, in one transaction, by the writer's next
     * group commit; neither the Gateway reader nor the delivery waits for it.
     */
    @Override
    public void remove(CamelContext context, String key, Exchange exchange) {
        buffers.remove(key);
        dirty.remove(key);
        // Its headers and properties copied now, as the exchange goes on to the delivery, which changes them;
        // serialized by the writer, and only if the delivery has not ended by its commit.
        enqueue(Kind.OUTBOX, key, exchange.getExchangeId(), outboxCopy(exchange));
        if (claimsOnCompletion()) {
            // The dispatch's dedup claim is made now, with the writer's next commit (the outbox row waits a gather
            // for the delivery to end: heldOutbox): the delivery thread that takes the run finds the answer instead
            // of waiting for a commit of its own. (A claim made only when a delivery thread asked for it held that
            // thread for a whole commit: with 20 threads, at most 20 posts per commit.)
            CompletableFuture<Boolean> claimed = new CompletableFuture<>();
            earlyClaims.put(key, claimed);
            earlyClaimRuns.put(exchange.getExchangeId(), key);
            enqueue(Kind.DISPATCH_CLAIM, null, key, null, claimed);
        }
    }

    /** Claims made when runs completed that no dispatch asked for yet. */
    int earlyClaimsWaiting() {
        return earlyClaims.size();
    }

    /**
     * True when a run's dedup claim is made as it completes (a dedup memory several bridges share), and its outbox
     * row is held back a gather ({@link #heldOutbox}): a run the dispatch then skips (no creative, no text) counts as
     * dispatched for the TTL, which posts nothing either way.
     */
    protected boolean claimsOnCompletion() {
        return false;
    }

    /** The delivery ended: the outbox row goes, with the writer's next commit (a crash before it posts it again). */
    @Override
    public void confirm(CamelContext context, String exchangeId) {
        // Until the commit the row is still there, and the Aggregator no longer counts the run in progress: its
        // recovery must not hand it over again.
        confirming.add(exchangeId);
        String runId = earlyClaimRuns.remove(exchangeId);
        if (runId != null) {
            earlyClaims.remove(runId);
        }
        enqueue(Kind.CONFIRM, null, exchangeId, null);
    }

    /** True while the delivery of the exchange ended and its outbox row is not deleted yet. */
    protected boolean isConfirming(String exchangeId) {
        return confirming.contains(exchangeId);
    }

    /** Queues a write for the writer; returns its number, for {@link #awaitWritten}. */
    long enqueue(Kind kind, String runId, String id, DefaultExchangeHolder exchange) {
        return enqueue(kind, runId, id, exchange, null);
    }

    private long enqueue(Kind kind, String runId, String id, DefaultExchangeHolder exchange,
                         CompletableFuture<Boolean> claimed) {
        long number;
        synchronized (writes) {
            // Numbered and queued together, so that the queue is in number order.
            number = written.incrementAndGet();
            writes.add(new Write(number, kind, runId, id, exchange, System.currentTimeMillis(), claimed));
        }
        if (kind == Kind.DISPATCH_CLAIM) {
            claimWaiting = true;
            LockSupport.unpark(writer);
        } else if (!gathering) {
            LockSupport.unpark(writer);
        }
        return number;
    }

    /**
     * Claims a run id in a dedup memory several bridges share, with the writer's group commits (one statement for
     * every claim waiting, instead of one transaction per run on the delivery's threads); true when this bridge is
     * the first to claim it within the TTL. A completed run's claim was made as it completed
     * ({@link #claimsOnCompletion}): this waits for that commit, often made already; else it claims with the next one.
     */
    public boolean claimDispatch(String runId) {
        CompletableFuture<Boolean> claimed = earlyClaims.remove(runId);
        if (claimed == null) {
            // A recovered run, or a store that does not claim with the outbox row.
            claimed = new CompletableFuture<>();
            enqueue(Kind.DISPATCH_CLAIM, null, runId, null, claimed);
        }
        long start = System.nanoTime();
        try {
            boolean first = claimed.get();
            writeWait.record(System.nanoTime() - start);
            return first;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while claiming run " + runId, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not claim run " + runId, e.getCause());
        }
    }

    /**
     * Claims the keys in the shared dedup memory, in the writer's transaction; returns those claimed. Only a store
     * several bridges share has one.
     */
    protected Set<String> claim(Connection connection, List<String> keys, long now) throws SQLException {
        throw new UnsupportedOperationException("no shared dedup memory in " + getClass().getSimpleName());
    }

    /**
     * The dedup memory's writes ({@link WrittenBehindIdempotentRepository}): its keys in Camel's JDBC idempotent
     * repository table (the table the embedded store used before, so an upgrade keeps them), written by this store's
     * writer, expired rows deleted with the checkpoints.
     */
    public WrittenBehindIdempotentRepository.Writes dispatchedRunWrites(String processorName, long ttlMillis) {
        this.dedupProcessor = processorName;
        this.dedupTtlMillis = ttlMillis;
        return new WrittenBehindIdempotentRepository.Writes() {
            @Override
            public Iterable<String> rememberedKeys() {
                // Added and removed in the order they were written: what is left is what the memory held.
                Set<String> remembered = new LinkedHashSet<>();
                try (Connection connection = dataSource.getConnection();
                     PreparedStatement select = connection.prepareStatement("SELECT processorName, messageId FROM "
                             + DEDUP + " WHERE createdAt > ? AND processorName IN (?, ?) ORDER BY createdAt, _ROWID_")) {
                    select.setTimestamp(1, new Timestamp(System.currentTimeMillis() - ttlMillis));
                    select.setString(2, processorName);
                    select.setString(3, removalsOf(processorName));
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            if (processorName.equals(rows.getString(1))) {
                                remembered.add(rows.getString(2));
                            } else {
                                remembered.remove(rows.getString(2));
                            }
                        }
                    }
                } catch (SQLException e) {
                    LOG.warn("state=restore table={} outcome=failed reason={}", DEDUP, e.toString());
                }
                return remembered;
            }

            @Override
            public void added(String key) {
                enqueue(Kind.DEDUP_ADD, null, key, null);
            }

            @Override
            public void removed(String key) {
                enqueue(Kind.DEDUP_REMOVE, null, key, null);
            }
        };
    }

    /** The number of the last write asked for: {@link #awaitWritten} of it waits until it is on disk. */
    long lastWrite() {
        return written.get();
    }

    /** Waits until the writes up to {@code number} are committed (or the store stopped, or the wait was interrupted). */
    void awaitWritten(long number) {
        awaitWritten(number, Long.MAX_VALUE);
    }

    /** As {@link #awaitWritten(long)}, for at most {@code timeoutMs}; true when the writes are committed. */
    boolean awaitWritten(long number, long timeoutMs) {
        // Compared by difference, as nanoTime values are: a deadline that overflows (no timeout) still lies ahead.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (progress) {
            while (committed < number && writing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    progress.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return committed >= number;
        }
    }

    /** The buffers held in memory, by run id: the shared store hands an account's over. */
    Map<String, Exchange> buffers() {
        return buffers;
    }

    /** Buffer rows the store has written so far (a row rewritten counts each time). */
    long bufferRowWrites() {
        return bufferRowWrites.get();
    }

    /** Runs changed since their last write. */
    Set<String> dirty() {
        return dirty.keySet();
    }

    /** The bridge that owns the rows this store writes; null when only one bridge uses the database. */
    protected String instanceId() {
        return null;
    }

    /** Writes or replaces a buffer row: run_id, account, owner_id, session_key, state, buffer, updated_at, instance_id. */
    protected String upsertBufferSql() {
        return "MERGE INTO " + BUFFERS + " (run_id, account, owner_id, session_key, state, buffer, updated_at,"
               + " instance_id) KEY (run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    }

    /** Writes or replaces an outbox row: exchange_id, run_id, exchange, completed_at, instance_id. */
    protected String upsertOutboxSql() {
        return "MERGE INTO " + OUTBOX + " (exchange_id, run_id, exchange, completed_at, instance_id) KEY (exchange_id)"
               + " VALUES (?, ?, ?, ?, ?)";
    }

    @Override
    public Set<String> getKeys() {
        return Set.copyOf(buffers.keySet());
    }

    /** The outbox rows this bridge delivers, less the deliveries that ended and wait for their row's deletion. */
    @Override
    public final Set<String> scan(CamelContext context) {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = recoverableOutboxRows(connection);
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                if (!isConfirming(rows.getString(1))) {
                    ids.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            LOG.warn("instance={} state=recovery outcome=failed reason={}", instanceId(), e.toString());
        }
        return ids;
    }

    /** Selects the exchange ids of the outbox rows this bridge may recover: all of them, with one bridge. */
    protected PreparedStatement recoverableOutboxRows(Connection connection) throws SQLException {
        return connection.prepareStatement("SELECT exchange_id FROM " + OUTBOX);
    }

    /** Makes an outbox row this bridge's before it is recovered; false when it is not (always ours with one bridge). */
    protected boolean claimOutboxRow(Connection connection, String exchangeId) throws SQLException {
        return true;
    }

    @Override
    public final Exchange recover(CamelContext context, String exchangeId) {
        if (isConfirming(exchangeId)) {
            return null;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT exchange FROM " + OUTBOX + " WHERE exchange_id = ?")) {
            if (!claimOutboxRow(connection, exchangeId)) {
                return null;
            }
            select.setString(1, exchangeId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? codec.unmarshallExchange(context, rows.getBytes(1), deserializationFilter) : null;
            }
        } catch (SQLException | IOException | ClassNotFoundException e) {
            LOG.warn("exchangeId={} instance={} state=recovery outcome=failed reason={}", exchangeId, instanceId(),
                    e.toString());
            return null;
        }
    }

    /**
     * The writer thread: a group commit whenever writes wait ({@link #GATHER_NANOS} after the last one at the
     * soonest, at once for a dedup claim), a checkpoint every tenth of checkpointMs writing the runs due
     * ({@link #checkpointDue}) in transactions of {@link #CHECKPOINT_CHUNK} runs with the writes made meanwhile
     * committed between them, so that a completed run's outbox row never waits for a whole checkpoint; everything at
     * a stop.
     */
    private void writeBehind() {
        long checkpointNanos = TimeUnit.MILLISECONDS.toNanos(checkpointMs);
        long tickNanos = checkpointTickNanos();
        long nextCheckpoint = System.nanoTime() + tickNanos;
        List<Write> batch = new ArrayList<>();
        while (true) {
            boolean stopping = !writing;
            long now = System.nanoTime();
            if (batch.isEmpty() && writes.isEmpty() && !heldOutboxDue() && now - nextCheckpoint < 0 && !stopping) {
                LockSupport.parkNanos(this, Math.min(nextCheckpoint - now, untilHeldOutboxDue()));
                continue;
            }
            long gatheredUntil = lastCommitNanos + (claimWaiting ? claimGatherNanos() : gatherNanos);
            if (batch.isEmpty() && now - gatheredUntil < 0 && now - nextCheckpoint < 0 && !stopping) {
                gathering = true;
                LockSupport.parkNanos(this, gatheredUntil - now);
                gathering = false;
                continue;
            }
            boolean written = writeWaiting(batch);
            if (written && (now - nextCheckpoint >= 0 || stopping)) {
                written = checkpointInChunks(batch, stopping ? new ArrayList<>(dirty.keySet()) : checkpointDue());
                nextCheckpoint = System.nanoTime() + tickNanos;
            }
            if (stopping && writes.isEmpty()) {
                // Claims the database never answered: the dispatch fails, and the run is handed over again.
                batch.forEach(write -> {
                    if (write.claimed() != null) {
                        write.claimed().completeExceptionally(new IllegalStateException("the state store stopped"));
                    }
                });
                if (statements != null) {
                    statements.close();
                    statements = null;
                }
                return;
            }
            if (!written) {
                // The database refused: the same writes again after a pause.
                LockSupport.parkNanos(this, checkpointNanos);
            }
        }
    }

    /**
     * Commits the writes waiting (with the changed buffers of the accounts they flush) and tells those waiting for
     * them; false when the database refused, the writes kept in {@code batch} for the next attempt.
     */
    private boolean writeWaiting(List<Write> batch) {
        // Cleared before the queue is read: a claim queued from here on sets it again, for the next commit.
        claimWaiting = false;
        for (Write write; batch.size() < MAX_BATCH && (write = writes.poll()) != null; ) {
            batch.add(write);
            lastTaken = write.number();
        }
        if (claimsOnCompletion()) {
            holdBackYoungOutboxRows(batch);
        }
        if (batch.isEmpty()) {
            return true;
        }
        long start = System.nanoTime();
        if (!write(batch, flushedAccountsKeys(batch), false)) {
            return false;
        }
        lastCommitNanos = System.nanoTime();
        lastCommitTookNanos = lastCommitNanos - start;
        synchronized (progress) {
            // Every write taken from the queue is committed, but for the rows held back.
            committed = heldOutbox.isEmpty() ? lastTaken : heldOutbox.values().iterator().next().number() - 1;
            progress.notifyAll();
        }
        for (Write write : batch) {
            if (write.kind() == Kind.CONFIRM) {
                confirming.remove(write.id());
            }
        }
        batch.clear();
        return true;
    }

    /**
     * Moves the batch's outbox rows younger than a gather to {@link #heldOutbox}, and the held rows that are no
     * longer (or all of them, at a stop or an account's flush) back into the batch, in number order. A confirm takes
     * its held row with it: both in one batch, neither is written ({@link #endedBeforeWritten}).
     */
    private void holdBackYoungOutboxRows(List<Write> batch) {
        boolean releaseAll = !writing || batch.stream().anyMatch(write -> write.kind() == Kind.FLUSH_ACCOUNT);
        long youngAfter = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(gatherNanos);
        List<Write> kept = new ArrayList<>();
        for (Iterator<Write> held = heldOutbox.values().iterator(); held.hasNext(); ) {
            Write write = held.next();
            if (!releaseAll && write.at() > youngAfter) {
                break;
            }
            kept.add(write);
            held.remove();
        }
        for (Write write : batch) {
            if (write.kind() == Kind.OUTBOX && !releaseAll && write.at() > youngAfter) {
                heldOutbox.put(write.id(), write);
                continue;
            }
            if (write.kind() == Kind.CONFIRM) {
                Write ended = heldOutbox.remove(write.id());
                if (ended != null) {
                    kept.add(ended);
                }
            }
            kept.add(write);
        }
        kept.sort(Comparator.comparingLong(Write::number));
        batch.clear();
        batch.addAll(kept);
    }

    /** True when the oldest outbox row held back has waited its gather. */
    private boolean heldOutboxDue() {
        return untilHeldOutboxDue() <= 0;
    }

    /** How long until the oldest outbox row held back has waited its gather, in ns (none held: forever). */
    private long untilHeldOutboxDue() {
        if (heldOutbox.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long dueAt = heldOutbox.values().iterator().next().at() + TimeUnit.NANOSECONDS.toMillis(gatherNanos);
        return TimeUnit.MILLISECONDS.toNanos(dueAt - System.currentTimeMillis());
    }

    /**
     * How long claims gather after a commit: as long as that commit took, at most {@code maxClaimGatherNanos} (none by
     * default). A claim committed at once keeps the writer committing back to back (500-700 commits a second at 1,000
     * runs/s, 1.5-2 runs each, a fifth of a core of PostgreSQL's on 2 cores); gathering as long as a commit takes keeps
     * it committing at most half of the time, which gives a machine out of CPU some back, but every claim then waits
     * about two commits instead of one: in the benchmark at 1,000 runs/s, with up to 5 ms, a p50 of 6-7 ms and a p99
     * of 23-27 ms against 2 and 10-17 ms without.
     */
    private long claimGatherNanos() {
        return Math.min(lastCommitTookNanos, maxClaimGatherNanos);
    }

    /** How often the writer looks for runs due: a tenth of the interval (at least 1 ms). */
    private long checkpointTickNanos() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(checkpointMs) / 10);
    }

    /**
     * The runs whose oldest change not written yet is at least the interval less one tick old: written by this
     * checkpoint, that change is at most the interval old when it reaches the database (as with a checkpoint of every
     * changed run each interval), and a run that completes sooner is not written at all (its outbox row holds its
     * buffer). Most runs at the benchmark's pace last half a second: with a 1 s interval, a checkpoint of every
     * changed run wrote half of them once, each row then deleted at its completion.
     */
    private List<String> checkpointDue() {
        long now = System.nanoTime();
        long age = TimeUnit.MILLISECONDS.toNanos(checkpointMs) - checkpointTickNanos();
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, Long> run : dirty.entrySet()) {
            if (now - run.getValue() >= age) {
                due.add(run.getKey());
            }
        }
        return due;
    }

    /** Marks runs whose write failed as changed, due at once: the writer's next attempt writes them. */
    private void unwritten(List<String> keys) {
        long due = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(checkpointMs);
        for (String key : keys) {
            // Unless completed meanwhile: a completed run is not written as a buffer.
            if (buffers.containsKey(key)) {
                dirty.merge(key, due, Math::min);
            }
        }
    }

    /** Writes the given runs' buffers, a chunk per transaction, the waiting writes in between. */
    private boolean checkpointInChunks(List<Write> batch, List<String> keys) {
        if (keys.isEmpty()) {
            // Still a time to delete the dedup memory's expired keys.
            return write(List.of(), keys, true);
        }
        for (int from = 0; from < keys.size(); from += CHECKPOINT_CHUNK) {
            int to = Math.min(keys.size(), from + CHECKPOINT_CHUNK);
            // Expired dedup keys are deleted with the last chunk.
            if (!write(List.of(), keys.subList(from, to), to == keys.size()) || !writeWaiting(batch)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the runs changed since the last checkpoint now, in one transaction: for tests; everything else goes
     * through the writer, the one thread that writes.
     */
    void checkpoint() {
        write(List.of(), new ArrayList<>(dirty.keySet()), true);
    }

    /**
     * One transaction: the given changed buffers, then the writes in order. A run read here as open and completed
     * meanwhile is deleted by its own write, queued after this read and so committed after it, never written back
     * after it; a run completed before this read is no longer in memory and is not written.
     */
    private boolean write(List<Write> batch, List<String> keys, boolean expireDedup) {
        if (batch.isEmpty() && keys.isEmpty() && !(expireDedup && dedupExpiryDue())) {
            return true;
        }
        if (Thread.currentThread() != writer) {
            // checkpoint(), from a test: a connection of its own.
            try (Statements statements = new Statements(dataSource.getConnection())) {
                return write(statements, batch, keys, expireDedup);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            if (statements == null) {
                statements = new Statements(dataSource.getConnection());
            }
        } catch (SQLException | RuntimeException e) {
            unwritten(keys);
            LOG.warn("state=write-behind runs={} writes={} outcome=failed reason={}", keys.size(), batch.size(),
                    e.toString());
            return false;
        }
        if (!write(statements, batch, keys, expireDedup)) {
            // The connection may be what failed: the next attempt takes another.
            statements.close();
            statements = null;
            return false;
        }
        return true;
    }

    private boolean write(Statements statements, List<Write> batch, List<String> keys, boolean expireDedup) {
        Connection connection = statements.connection;
        try {
            PreparedStatement upsert = statements.upsert;
            PreparedStatement deleteBuffer = statements.deleteBuffer;
            PreparedStatement insertOutbox = statements.insertOutbox;
            PreparedStatement deleteOutbox = statements.deleteOutbox;
            PreparedStatement insertDedup = statements.insertDedup;
            try {
                Timestamp now = new Timestamp(System.currentTimeMillis());
                List<String> claims = new ArrayList<>();
                // Rows batched for the statements below; none: the claims are all there is to write.
                int rows = 0;
                for (String key : keys) {
                    dirty.remove(key);
                    Exchange exchange = buffers.get(key);
                    if (exchange == null) {
                        continue;
                    }
                    bindBufferRow(upsert, key, exchange.getMessage(), now, instanceId());
                    upsert.addBatch();
                    rows++;
                    bufferRowWrites.incrementAndGet();
                    // Before the commit: should its outcome be unknown, the row may exist.
                    rowWritten.add(key);
                }
                // A delivery that ended before its outbox row was written needs no row: neither is written.
                Set<String> endedUnwritten = endedBeforeWritten(batch);
                // A confirm follows its outbox row (queued when the run completed, before its delivery began), so the
                // deletes may go after all the inserts; a dedup key's addition and removal are both rows, in order.
                for (Write write : batch) {
                    switch (write.kind()) {
                        case OUTBOX -> {
                            if (rowWritten.contains(write.runId())) {
                                deleteBuffer.setString(1, write.runId());
                                deleteBuffer.addBatch();
                                rows++;
                            }
                            if (!endedUnwritten.contains(write.id())) {
                                insertOutbox.setString(1, write.id());
                                insertOutbox.setString(2, write.runId());
                                insertOutbox.setBytes(3, serialize(write.exchange()));
                                insertOutbox.setTimestamp(4, now);
                                insertOutbox.setString(5, instanceId());
                                insertOutbox.addBatch();
                                rows++;
                            }
                        }
                        case CONFIRM -> {
                            if (!endedUnwritten.contains(write.id())) {
                                deleteOutbox.setString(1, write.id());
                                deleteOutbox.addBatch();
                                rows++;
                            }
                        }
                        case DEDUP_ADD, DEDUP_REMOVE -> {
                            insertDedup.setString(1, write.kind() == Kind.DEDUP_ADD
                                    ? dedupProcessor : removalsOf(dedupProcessor));
                            insertDedup.setString(2, write.id());
                            insertDedup.setTimestamp(3, new Timestamp(write.at()));
                            insertDedup.addBatch();
                            rows++;
                        }
                        case FLUSH_ACCOUNT -> {
                            // Its changed buffers are in keys, written above.
                        }
                        case DISPATCH_CLAIM -> claims.add(write.id());
                    }
                }
                boolean expireDue = expireDedup && dedupExpiryDue();
                if (rows == 0 && !expireDue && !claims.isEmpty()) {
                    answer(batch, claimAlone(connection, claims, now.getTime()));
                    return true;
                }
                upsert.executeBatch();
                deleteBuffer.executeBatch();
                insertOutbox.executeBatch();
                insertDedup.executeBatch();
                deleteOutbox.executeBatch();
                if (expireDue) {
                    lastDedupExpiry = System.nanoTime();
                    try (PreparedStatement expire = connection.prepareStatement(
                            "DELETE FROM " + DEDUP + " WHERE createdAt <= ? AND processorName IN (?, ?)")) {
                        expire.setTimestamp(1, new Timestamp(System.currentTimeMillis() - dedupTtlMillis));
                        expire.setString(2, dedupProcessor);
                        expire.setString(3, removalsOf(dedupProcessor));
                        expire.executeUpdate();
                    }
                }
                Set<String> claimed = claims.isEmpty() ? Set.of() : claim(connection, claims, now.getTime());
                connection.commit();
                answer(batch, claimed);
                return true;
            } catch (SQLException | IOException | RuntimeException | AssertionError e) {
                // The statements are closed next, with what they hold batched.
                connection.rollback();
                throw e;
            }
        } catch (SQLException | IOException | RuntimeException | AssertionError e) {
            // AssertionError: pgjdbc, run with -ea, asserts where it would throw when the server goes away in the
            // middle of a batch. The writer is the only thread that writes: it must outlive any failure.
            unwritten(keys);
            LOG.warn("state=write-behind runs={} writes={} outcome=failed reason={}", keys.size(), batch.size(),
                    e.toString());
            return false;
        }
    }

    /**
     * Claims keys in a statement that commits itself: with nothing else to write (at a steady pace, most of the
     * writer's commits), one round trip to the database instead of two (the statement, then a COMMIT), so a claim
     * waits for one answer of the server, not two.
     */
    private Set<String> claimAlone(Connection connection, List<String> keys, long now) throws SQLException {
        connection.setAutoCommit(true);
        try {
            return claim(connection, keys, now);
        } finally {
            connection.setAutoCommit(false);
        }
    }

    /** Tells the batch's claims their answer, once committed; its outbox rows are no longer buffer rows. */
    private void answer(List<Write> batch, Set<String> claimed) {
        // A run id claimed twice in one batch: the first claim gets the answer, the others are duplicates.
        Set<String> answered = new HashSet<>();
        for (Write write : batch) {
            if (write.kind() == Kind.DISPATCH_CLAIM) {
                write.claimed().complete(answered.add(write.id()) && claimed.contains(write.id()));
            } else if (write.kind() == Kind.OUTBOX) {
                rowWritten.remove(write.runId());
            }
        }
    }

    /** True when the dedup memory's expired keys were last deleted (or the store started) a few seconds ago. */
    private boolean dedupExpiryDue() {
        return dedupProcessor != null && System.nanoTime() - lastDedupExpiry > DEDUP_EXPIRY_NANOS;
    }

    /**
     * A connection and the writer's statements on it, prepared once and kept between transactions (parsing them
     * for every group commit was a sixth of the writer's time; PostgreSQL plans a kept statement once too).
     */
    private final class Statements implements AutoCloseable {

        final Connection connection;
        PreparedStatement upsert;
        PreparedStatement deleteBuffer;
        PreparedStatement insertOutbox;
        PreparedStatement deleteOutbox;
        PreparedStatement insertDedup;

        Statements(Connection connection) throws SQLException {
            this.connection = connection;
            try {
                connection.setAutoCommit(false);
                upsert = connection.prepareStatement(upsertBufferSql());
                deleteBuffer = connection.prepareStatement("DELETE FROM " + BUFFERS + " WHERE run_id = ?");
                insertOutbox = connection.prepareStatement(upsertOutboxSql());
                deleteOutbox = connection.prepareStatement("DELETE FROM " + OUTBOX + " WHERE exchange_id = ?");
                insertDedup = connection.prepareStatement(
                        "INSERT INTO " + DEDUP + " (processorName, messageId, createdAt) VALUES (?, ?, ?)");
            } catch (SQLException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (PreparedStatement statement : new PreparedStatement[] {upsert, deleteBuffer, insertOutbox,
                    deleteOutbox, insertDedup}) {
                closeQuietly(statement);
            }
            closeQuietly(connection);
        }

        private static void closeQuietly(AutoCloseable closeable) {
            if (closeable == null) {
                return;
            }
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("state=write-behind outcome=close-failed reason={}", e.toString());
            }
        }
    }

    /** The exchange ids of the batch's outbox rows whose confirm is in the batch too. */
    private static Set<String> endedBeforeWritten(List<Write> batch) {
        Set<String> outbox = null;
        Set<String> ended = null;
        for (Write write : batch) {
            if (write.kind() == Kind.OUTBOX) {
                if (outbox == null) {
                    outbox = new HashSet<>();
                }
                outbox.add(write.id());
            } else if (write.kind() == Kind.CONFIRM && outbox != null && outbox.contains(write.id())) {
                if (ended == null) {
                    ended = new HashSet<>();
                }
                ended.add(write.id());
            }
        }
        return ended == null ? Set.of() : ended;
    }

    /**
     * What an outbox row keeps of a completed exchange, as Camel's {@link JdbcCamelCodec} marshals it (so that
     * {@link #recover} reads it with the codec): the message and the Aggregator's properties, copied; serialized
     * by the writer, when it writes the row.
     */
    private static DefaultExchangeHolder outboxCopy(Exchange exchange) {
        DefaultExchangeHolder holder = DefaultExchangeHolder.marshal(exchange, false, false);
        DefaultExchangeHolder.addProperty(holder, Exchange.AGGREGATED_SIZE,
                exchange.getProperty(ExchangePropertyKey.AGGREGATED_SIZE, Integer.class));
        DefaultExchangeHolder.addProperty(holder, Exchange.AGGREGATED_TIMEOUT,
                exchange.getProperty(ExchangePropertyKey.AGGREGATED_TIMEOUT, Long.class));
        DefaultExchangeHolder.addProperty(holder, Exchange.AGGREGATED_COMPLETED_BY,
                exchange.getProperty(ExchangePropertyKey.AGGREGATED_COMPLETED_BY, String.class));
        DefaultExchangeHolder.addProperty(holder, Exchange.AGGREGATED_CORRELATION_KEY,
                exchange.getProperty(ExchangePropertyKey.AGGREGATED_CORRELATION_KEY, String.class));
        if (exchange.getFromEndpoint() != null) {
            DefaultExchangeHolder.addProperty(holder, "CamelAggregatedFromEndpoint",
                    exchange.getFromEndpoint().getEndpointUri());
        }
        return holder;
    }

    /** The changed buffers of the accounts a batch flushes (outside a checkpoint, which writes them all anyway). */
    private List<String> flushedAccountsKeys(List<Write> batch) {
        Set<String> accounts = new HashSet<>();
        for (Write write : batch) {
            if (write.kind() == Kind.FLUSH_ACCOUNT) {
                accounts.add(write.id());
            }
        }
        if (accounts.isEmpty()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (String key : dirty.keySet()) {
            Exchange exchange = buffers.get(key);
            if (exchange != null && accounts.contains(exchange.getMessage().getHeader(BridgeHeaders.ACCOUNT, String.class))) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** A buffer row's {@link RunBuffer}, or an outbox row's exchange copy, Java-serialized. */
    private static byte[] serialize(Serializable value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private RunBuffer deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(deserializationFilter));
            return (RunBuffer) in.readObject();
        }
    }

    /** A buffer row's values, in the order of {@link #upsertBufferSql()}. */
    private static void bindBufferRow(PreparedStatement upsert, String runId, Message message, Timestamp now,
                                      String instance) throws SQLException, IOException {
        upsert.setString(1, runId);
        upsert.setString(2, message.getHeader(BridgeHeaders.ACCOUNT, String.class));
        upsert.setString(3, message.getHeader(BridgeHeaders.OWNER_ID, String.class));
        upsert.setString(4, message.getHeader(BridgeHeaders.SESSION_KEY, String.class));
        upsert.setString(5, message.getHeader(BridgeHeaders.STATE, String.class));
        upsert.setBytes(6, serialize(message.getBody(RunBuffer.class)));
        upsert.setTimestamp(7, now);
        upsert.setString(8, instance);
    }

    /** The columns {@link #putLoaded} reads, in its order. */
    static final String BUFFER_COLUMNS = "run_id, account, owner_id, session_key, state, buffer, updated_at";

    /** The buffer of a row of {@link #BUFFER_COLUMNS}, put in memory unless the run has one there already. */
    void putLoaded(CamelContext context, ResultSet rows, Collection<String> loaded) throws SQLException {
        String runId = rows.getString(1);
        try {
            Exchange exchange = new DefaultExchange(context);
            Message message = exchange.getMessage();
            message.setHeader(BridgeHeaders.RUN_ID, runId);
            putIfSet(message, BridgeHeaders.ACCOUNT, rows.getString(2));
            putIfSet(message, BridgeHeaders.OWNER_ID, rows.getString(3));
            putIfSet(message, BridgeHeaders.SESSION_KEY, rows.getString(4));
            putIfSet(message, BridgeHeaders.STATE, rows.getString(5));
            message.setBody(deserialize(rows.getBytes(6)));
            if (bufferTtlMillis > 0) {
                // What the Aggregator reads back at its start to purge the run once its TTL, counted from the
                // run's last write, has passed and no final came (it sets it on the runs it buffers itself).
                Timestamp updatedAt = rows.getTimestamp(7);
                long age = updatedAt == null ? 0 : System.currentTimeMillis() - updatedAt.getTime();
                exchange.setProperty(ExchangePropertyKey.AGGREGATED_TIMEOUT, Math.max(1, bufferTtlMillis - age));
            }
            rowWritten.add(runId);
            // A buffer already in memory got its events here since: it is the newer one.
            if (buffers.putIfAbsent(runId, exchange) == null) {
                loaded.add(runId);
            }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            LOG.warn("runId={} state=restore outcome=dropped reason={}", runId, e.toString());
        }
    }

    /** Reads back the buffers written before a stop or crash: every row, when one bridge uses the database. */
    protected void loadAtStart(CamelContext context) throws SQLException {
        List<String> loaded = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT " + BUFFER_COLUMNS + " FROM " + BUFFERS)) {
            while (rows.next()) {
                putLoaded(context, rows, loaded);
            }
        }
        LOG.info("state=restore buffers={} checkpointMs={} outcome=loaded", loaded.size(), checkpointMs);
    }

    private static void putIfSet(Message message, String name, String value) {
        if (value != null) {
            message.setHeader(name, value);
        }
    }

    /** The Aggregator's completion timeout: a buffer read back expires that long after its last write (0: never). */
    public void setBufferTtlMillis(long bufferTtlMillis) {
        this.bufferTtlMillis = bufferTtlMillis;
    }

    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        this.writeWait = new StateWriteWaitTimer(camelContext);
    }

    protected CamelContext getCamelContext() {
        return camelContext;
    }

    /** The database the store writes to. */
    protected DataSource dataSource() {
        return dataSource;
    }

    /** Runs first in the transaction of the upgrade: the shared store makes bridges starting together take turns. */
    protected void lockForUpgrade(Statement sql) throws SQLException {
        // One bridge per embedded database: nothing to wait for.
    }

    /**
     * Moves what the store before write-behind left (Camel's JdbcAggregationRepository tables, serialized Exchanges)
     * into this store, once, in one transaction, so that an upgrade loses no open buffer and no unfinished delivery:
     * open buffers become buffer rows (owned by no bridge: read by whichever takes their account), unfinished
     * deliveries become this bridge's outbox rows (the same Exchange, so the same Idempotency-Key), and the old rows go.
     */
    void migrateLegacy(CamelContext context) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            if (!tableExists(connection, LEGACY_BUFFERS) || !tableExists(connection, LEGACY_COMPLETED)) {
                return;
            }
            connection.setAutoCommit(false);
            int open = 0;
            int unfinished = 0;
            Timestamp now = new Timestamp(System.currentTimeMillis());
            try (Statement sql = connection.createStatement();
                 Statement select = connection.createStatement();
                 PreparedStatement upsert = connection.prepareStatement(upsertBufferSql());
                 PreparedStatement insert = connection.prepareStatement(upsertOutboxSql())) {
                lockForUpgrade(sql);
                try (ResultSet rows = select.executeQuery("SELECT id, exchange FROM " + LEGACY_BUFFERS)) {
                    while (rows.next()) {
                        Exchange buffered = codec.unmarshallExchange(context, rows.getBytes(2), deserializationFilter);
                        bindBufferRow(upsert, rows.getString(1), buffered.getMessage(), now, null);
                        upsert.addBatch();
                        open++;
                    }
                }
                try (ResultSet rows = select.executeQuery("SELECT id, exchange FROM " + LEGACY_COMPLETED)) {
                    while (rows.next()) {
                        Exchange completed = codec.unmarshallExchange(context, rows.getBytes(2), deserializationFilter);
                        RunBuffer run = completed.getMessage().getBody(RunBuffer.class);
                        insert.setString(1, rows.getString(1));
                        insert.setString(2, run != null ? run.getRunId()
                                : completed.getMessage().getHeader(BridgeHeaders.RUN_ID, String.class));
                        insert.setBytes(3, rows.getBytes(2));
                        insert.setTimestamp(4, now);
                        insert.setString(5, instanceId());
                        insert.addBatch();
                        unfinished++;
                    }
                }
                upsert.executeBatch();
                insert.executeBatch();
                sql.execute("DELETE FROM " + LEGACY_BUFFERS);
                sql.execute("DELETE FROM " + LEGACY_COMPLETED);
                connection.commit();
            } catch (Exception e) {
                connection.rollback();
                throw e;
            }
            if (open > 0 || unfinished > 0) {
                LOG.info("state=upgrade openBuffers={} unfinishedDeliveries={} outcome=migrated-to-write-behind", open,
                        unfinished);
            }
        }
    }

    /** H2 keeps unquoted names in upper case, PostgreSQL in lower case. */
    private static boolean tableExists(Connection connection, String table) throws SQLException {
        for (String name : List.of(table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT))) {
            try (ResultSet tables = connection.getMetaData().getTables(null, null, name, null)) {
                if (tables.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    protected void doStart() throws Exception {
        if (camelContext != null) {
            migrateLegacy(camelContext);
            loadAtStart(camelContext);
        }
        bufferRowWritesMeter = StateBufferWrites.register(camelContext, bufferRowWrites);
        writing = true;
        writer = new Thread(this::writeBehind, "run-state-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    protected void doStop() throws Exception {
        // A graceful stop writes every open buffer and every waiting write.
        writing = false;
        if (writer != null) {
            LockSupport.unpark(writer);
            writer.join(TimeUnit.SECONDS.toMillis(10));
            writer = null;
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        buffers.clear();
        StateBufferWrites.unregister(camelContext, bufferRowWritesMeter);
        bufferRowWritesMeter = null;
    }

    @Override
    @Deprecated
    public void setRecoveryInterval(long interval, TimeUnit timeUnit) {
        setRecoveryInterval(timeUnit.toMillis(interval));
    }

    @Override
    public void setRecoveryInterval(long interval) {
        this.recoveryInterval = interval;
    }

    @Override
    public long getRecoveryInterval() {
        return recoveryInterval;
    }

    @Override
    public boolean isUseRecovery() {
        return useRecovery;
    }

    @Override
    public void setUseRecovery(boolean useRecovery) {
        this.useRecovery = useRecovery;
    }

    @Override
    public void setDeadLetterUri(String deadLetterUri) {
        this.deadLetterUri = deadLetterUri;
    }

    @Override
    public String getDeadLetterUri() {
        return deadLetterUri;
    }

    @Override
    public void setMaximumRedeliveries(int maximumRedeliveries) {
        this.maximumRedeliveries = maximumRedeliveries;
    }

    @Override
    public int getMaximumRedeliveries() {
        return maximumRedeliveries;
    }
}
