package io.collavre.openclaw.bridge.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.AccountBufferHandover;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run buffers of several bridges sharing one PostgreSQL database: the write-behind store of
 * {@link WriteBehindRunBufferStore} (buffers in memory, written behind every checkpoint interval; a completed run's
 * dedup claim committed before its first post, its outbox row once its delivery has gone on for a gather), with its
 * rows owned by a bridge ({@code instance_id}).
 * <ul>
 * <li>An account's buffers live in the memory of the one bridge connected to it (ZooKeeper elects it; without a
 * cluster, the one bridge configured with it). When a bridge starts reading an account it takes the account's rows
 * over, in one statement, into memory ({@link #takeOver}); when it stops, it writes the account's changed buffers and
 * lets them go ({@link #handOver}). A dead bridge's rows are as of its last checkpoint.</li>
 * <li>The outbox rows of a dead bridge (no heartbeat in {@code bridge_instances} for the instance timeout) are
 * claimed by exactly one survivor, with one conditional update, and delivered by it (same Exchange, so the same
 * Idempotency-Key).</li>
 * </ul>
 * The Gateway reader never waits for the database: a frame only changes memory.
 */
public class SharedWriteBehindRunBufferStore extends WriteBehindRunBufferStore implements AccountBufferHandover {

    private static final Logger LOG = LoggerFactory.getLogger(SharedWriteBehindRunBufferStore.class);

    /** Bridges whose heartbeat is older than the instance timeout, in SQL: their rows may be taken. */
    private static final String LIVE_INSTANCES =
            "SELECT instance_id FROM bridge_instances WHERE last_seen > now() - ? * interval '1 millisecond'";

    private final String instanceId;
    private final long instanceTimeoutMs;
    private volatile String dedupProcessor;
    private volatile long dedupTtlMillis;
    private final long handOverTimeoutMs;

    /**
     * @param handOverTimeoutMs how long a stopping connection waits for its account's buffers to be written; past
     *                          it (a database that does not answer) they stay in memory and are written later
     */
    public SharedWriteBehindRunBufferStore(DataSource dataSource, String instanceId, long instanceTimeoutMs,
                                           long checkpointMs, long handOverTimeoutMs, String deserializationFilter) {
        super(dataSource, checkpointMs, deserializationFilter);
        this.instanceId = instanceId;
        this.instanceTimeoutMs = instanceTimeoutMs;
        this.handOverTimeoutMs = handOverTimeoutMs;
    }

    @Override
    protected String instanceId() {
        return instanceId;
    }

    @Override
    protected String upsertBufferSql() {
        return "INSERT INTO " + BUFFERS + " (run_id, account, owner_id, session_key, state, buffer, updated_at,"
               + " instance_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET"
               + " account = EXCLUDED.account, owner_id = EXCLUDED.owner_id, session_key = EXCLUDED.session_key,"
               + " state = EXCLUDED.state, buffer = EXCLUDED.buffer, updated_at = EXCLUDED.updated_at,"
               + " instance_id = EXCLUDED.instance_id";
    }

    @Override
    protected String upsertOutboxSql() {
        return "INSERT INTO " + OUTBOX + " (exchange_id, run_id, exchange, completed_at, instance_id)"
               + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (exchange_id) DO UPDATE SET run_id = EXCLUDED.run_id,"
               + " exchange = EXCLUDED.exchange, completed_at = EXCLUDED.completed_at,"
               + " instance_id = EXCLUDED.instance_id";
    }

    /**
     * Makes {@link #claimDispatch} claim run ids in the shared dedup table ({@code camel_messageprocessed}) as the
     * processor: a key older than the TTL counts as new.
     */
    public void setDispatchedRuns(String processorName, long ttlMillis) {
        this.dedupProcessor = processorName;
        this.dedupTtlMillis = ttlMillis;
    }

    /** Claims a run's id when it completes, once {@link #setDispatchedRuns} named the dedup memory. */
    @Override
    protected boolean claimsOnCompletion() {
        return dedupProcessor != null;
    }

    @Override
    protected Set<String> claim(Connection connection, List<String> keys, long now) throws SQLException {
        Set<String> claimed = new HashSet<>();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO CAMEL_MESSAGEPROCESSED AS seen"
                + " (processorName, messageId, createdAt) SELECT ?, key, ? FROM unnest(?) AS key"
                + " ON CONFLICT (processorName, messageId) DO UPDATE SET createdAt = EXCLUDED.createdAt"
                + " WHERE seen.createdAt <= ? RETURNING messageId")) {
            insert.setString(1, dedupProcessor);
            insert.setTimestamp(2, new Timestamp(now));
            // Each key once: a statement may not change one row twice.
            insert.setArray(3, connection.createArrayOf("varchar", new LinkedHashSet<>(keys).toArray()));
            insert.setTimestamp(4, new Timestamp(now - dedupTtlMillis));
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    claimed.add(rows.getString(1));
                }
            }
        }
        return claimed;
    }

    @Override
    protected void lockForUpgrade(Statement sql) throws SQLException {
        // Bridges starting together: one moves the older tables' rows, the next finds them gone.
        sql.execute("SELECT pg_advisory_xact_lock(" + SharedStateDatabase.SCHEMA_LOCK + ")");
    }

    @Override
    protected void loadAtStart(CamelContext context) {
        // Nothing yet: an account's buffers are taken over when this bridge starts reading it.
    }

    @Override
    public Set<String> takeOver(String account) {
        Set<String> taken = new LinkedHashSet<>();
        CamelContext context = getCamelContext();
        try (Connection connection = dataSource().getConnection();
             PreparedStatement claim = connection.prepareStatement("UPDATE " + BUFFERS + " SET instance_id = ?"
                     + " WHERE account = ? RETURNING " + BUFFER_COLUMNS)) {
            claim.setString(1, instanceId);
            claim.setString(2, account);
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    putLoaded(context, rows, taken);
                }
            }
        } catch (SQLException e) {
            // The connection opens all the same: a run's next cumulative delta brings its text back.
            LOG.warn("account={} instance={} state=takeover outcome=not-loaded reason={}", account, instanceId,
                    e.toString());
            return taken;
        }
        LOG.info("account={} instance={} state=takeover buffers={} outcome=loaded", account, instanceId, taken.size());
        return taken;
    }

    @Override
    public Set<String> handOver(String account) {
        Set<String> released = new LinkedHashSet<>();
        long flush = enqueue(Kind.FLUSH_ACCOUNT, null, account, null);
        if (!awaitWritten(flush, handOverTimeoutMs)) {
            LOG.warn("account={} instance={} state=handover outcome=kept reason=not-written-within-{}ms", account,
                    instanceId, handOverTimeoutMs);
            return released;
        }
        for (Map.Entry<String, Exchange> entry : buffers().entrySet()) {
            String runId = entry.getKey();
            if (account.equals(entry.getValue().getMessage().getHeader(BridgeHeaders.ACCOUNT, String.class))
                && !dirty().contains(runId) && buffers().remove(runId, entry.getValue())) {
                released.add(runId);
            }
        }
        LOG.info("account={} instance={} state=handover buffers={} outcome=written", account, instanceId,
                released.size());
        return released;
    }

    /** The outbox rows of this bridge and of dead ones. */
    @Override
    protected PreparedStatement recoverableOutboxRows(Connection connection) throws SQLException {
        PreparedStatement select = connection.prepareStatement("SELECT exchange_id FROM " + OUTBOX
                + " WHERE instance_id = ? OR instance_id IS NULL OR instance_id NOT IN (" + LIVE_INSTANCES + ")");
        select.setString(1, instanceId);
        select.setLong(2, instanceTimeoutMs);
        return select;
    }

    /** A dead bridge's run becomes this bridge's; when another survivor claimed it first, it is not ours. */
    @Override
    protected boolean claimOutboxRow(Connection connection, String exchangeId) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement("UPDATE " + OUTBOX + " SET instance_id = ?"
                + " WHERE exchange_id = ? AND (instance_id = ? OR instance_id IS NULL OR instance_id NOT IN ("
                + LIVE_INSTANCES + "))")) {
            claim.setString(1, instanceId);
            claim.setString(2, exchangeId);
            claim.setString(3, instanceId);
            claim.setLong(4, instanceTimeoutMs);
            return claim.executeUpdate() == 1;
        }
    }
}
