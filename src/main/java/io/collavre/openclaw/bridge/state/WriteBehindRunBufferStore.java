package io.collavre.openclaw.bridge.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.processor.aggregate.jdbc.JdbcCamelCodec;
import org.apache.camel.spi.RecoverableAggregationRepository;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run buffers in memory, written behind to a database (the embedded store): the Aggregator reads and updates the
 * buffers in a map, the buffers changed since the last checkpoint are written every {@code checkpointMs} in one
 * batch (one row per run however many deltas it got), and read back at start. A completed run is written once, as
 * an outbox row, before the Aggregator hands it to the delivery, and deleted when its delivery ends (confirm);
 * Camel's recovery hands outbox rows left by a crash to the delivery again, same exchange and so same
 * Idempotency-Key.
 *
 * <p>What a crash ({@code kill -9}) loses: the deltas of the last checkpoint interval of open runs. The Gateway
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

    private final DataSource dataSource;
    private final long checkpointMs;
    private final String deserializationFilter;
    private final JdbcCamelCodec codec = new JdbcCamelCodec();
    private final Map<String, Exchange> buffers = new ConcurrentHashMap<>();
    /** Runs changed since their last write; a run removed meanwhile is deleted by the next checkpoint. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Guards the write of a run's row against its completion, so that a checkpoint never writes back a run removed. */
    private final Object writeLock = new Object();
    private ScheduledExecutorService checkpoints;
    private CamelContext camelContext;
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

    /** Creates the two tables when missing. */
    public static void createSchema(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE IF NOT EXISTS " + BUFFERS + " (run_id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " account VARCHAR(255), owner_id VARCHAR(255), session_key VARCHAR(1024), state VARCHAR(32),"
                        + " buffer BLOB NOT NULL, updated_at TIMESTAMP NOT NULL)");
            sql.execute("CREATE TABLE IF NOT EXISTS " + OUTBOX + " (exchange_id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " run_id VARCHAR(255) NOT NULL, exchange BLOB NOT NULL, completed_at TIMESTAMP NOT NULL)");
        }
    }

    public long getCheckpointMs() {
        return checkpointMs;
    }

    @Override
    public Exchange add(CamelContext context, String key, Exchange exchange) {
        camelContext = context;
        Exchange previous = buffers.put(key, exchange);
        dirty.add(key);
        return previous;
    }

    @Override
    public Exchange get(CamelContext context, String key) {
        return buffers.get(key);
    }

    /** The run completed: its buffer row goes and its outbox row is written, in one transaction, before delivery. */
    @Override
    public void remove(CamelContext context, String key, Exchange exchange) {
        synchronized (writeLock) {
            buffers.remove(key);
            dirty.remove(key);
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM " + BUFFERS + " WHERE run_id = ?");
                     PreparedStatement insert = connection.prepareStatement(
                             "MERGE INTO " + OUTBOX + " (exchange_id, run_id, exchange, completed_at) KEY (exchange_id)"
                             + " VALUES (?, ?, ?, ?)")) {
                    delete.setString(1, key);
                    delete.executeUpdate();
                    insert.setString(1, exchange.getExchangeId());
                    insert.setString(2, key);
                    insert.setBytes(3, codec.marshallExchange(exchange, false));
                    insert.setTimestamp(4, new Timestamp(System.currentTimeMillis()));
                    insert.executeUpdate();
                    connection.commit();
                } catch (SQLException | IOException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            } catch (SQLException | IOException e) {
                throw new IllegalStateException("The completed run " + key + " could not be stored", e);
            }
        }
    }

    /** The delivery ended: the outbox row goes. */
    @Override
    public void confirm(CamelContext context, String exchangeId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM " + OUTBOX + " WHERE exchange_id = ?")) {
            delete.setString(1, exchangeId);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("The delivered run " + exchangeId + " could not be confirmed", e);
        }
    }

    @Override
    public Set<String> getKeys() {
        return Set.copyOf(buffers.keySet());
    }

    @Override
    public Set<String> scan(CamelContext context) {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection connection = dataSource.getConnection();
             Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT exchange_id FROM " + OUTBOX)) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        } catch (SQLException e) {
            LOG.warn("state=recovery outcome=failed reason={}", e.toString());
        }
        return ids;
    }

    @Override
    public Exchange recover(CamelContext context, String exchangeId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT exchange FROM " + OUTBOX + " WHERE exchange_id = ?")) {
            select.setString(1, exchangeId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? codec.unmarshallExchange(context, rows.getBytes(1), deserializationFilter) : null;
            }
        } catch (SQLException | IOException | ClassNotFoundException e) {
            LOG.warn("exchangeId={} state=recovery outcome=failed reason={}", exchangeId, e.toString());
            return null;
        }
    }

    /** Writes the runs changed since the last checkpoint, in one transaction. */
    void checkpoint() {
        if (dirty.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            List<String> keys = new ArrayList<>(dirty);
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try (PreparedStatement upsert = connection.prepareStatement(
                        "MERGE INTO " + BUFFERS + " (run_id, account, owner_id, session_key, state, buffer, updated_at)"
                        + " KEY (run_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    Timestamp now = new Timestamp(System.currentTimeMillis());
                    for (String key : keys) {
                        dirty.remove(key);
                        Exchange exchange = buffers.get(key);
                        if (exchange == null) {
                            continue;
                        }
                        Message message = exchange.getMessage();
                        RunBuffer buffer = message.getBody(RunBuffer.class);
                        upsert.setString(1, key);
                        upsert.setString(2, message.getHeader(BridgeHeaders.ACCOUNT, String.class));
                        upsert.setString(3, message.getHeader(BridgeHeaders.OWNER_ID, String.class));
                        upsert.setString(4, message.getHeader(BridgeHeaders.SESSION_KEY, String.class));
                        upsert.setString(5, message.getHeader(BridgeHeaders.STATE, String.class));
                        upsert.setBytes(6, serialize(buffer));
                        upsert.setTimestamp(7, now);
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                    connection.commit();
                } catch (SQLException | IOException | RuntimeException e) {
                    connection.rollback();
                    dirty.addAll(keys);
                    throw e;
                }
            } catch (SQLException | IOException | RuntimeException e) {
                LOG.warn("state=checkpoint runs={} outcome=failed reason={}", keys.size(), e.toString());
            }
        }
    }

    private static byte[] serialize(RunBuffer buffer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(buffer);
        }
        return bytes.toByteArray();
    }

    private RunBuffer deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(deserializationFilter));
            return (RunBuffer) in.readObject();
        }
    }

    /** Reads back the buffers written before a stop or crash. */
    void load(CamelContext context) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery(
                     "SELECT run_id, account, owner_id, session_key, state, buffer FROM " + BUFFERS)) {
            while (rows.next()) {
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
                    buffers.put(runId, exchange);
                } catch (IOException | ClassNotFoundException | RuntimeException e) {
                    LOG.warn("runId={} state=restore outcome=dropped reason={}", runId, e.toString());
                }
            }
        }
        LOG.info("state=restore buffers={} checkpointMs={} outcome=loaded", buffers.size(), checkpointMs);
    }

    private static void putIfSet(Message message, String name, String value) {
        if (value != null) {
            message.setHeader(name, value);
        }
    }

    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /**
     * Moves what the store before write-behind left (Camel's JdbcAggregationRepository tables, serialized Exchanges)
     * into this store, once, so that an upgrade loses no open buffer and no unfinished delivery: open buffers are
     * written as rows by a checkpoint first, then unfinished deliveries become outbox rows (the same Exchange, so the
     * same Idempotency-Key) and the old rows go, in one transaction.
     */
    void migrateLegacy(CamelContext context) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            if (!tableExists(connection, LEGACY_BUFFERS) || !tableExists(connection, LEGACY_COMPLETED)) {
                return;
            }
            int open = 0;
            try (Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT id, exchange FROM " + LEGACY_BUFFERS)) {
                while (rows.next()) {
                    buffers.put(rows.getString(1), codec.unmarshallExchange(context, rows.getBytes(2), deserializationFilter));
                    dirty.add(rows.getString(1));
                    open++;
                }
            }
            checkpoint();
            if (!dirty.isEmpty()) {
                throw new IllegalStateException("the open buffers of " + LEGACY_BUFFERS + " could not be written");
            }
            connection.setAutoCommit(false);
            int unfinished = 0;
            try (Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT id, exchange FROM " + LEGACY_COMPLETED);
                 PreparedStatement insert = connection.prepareStatement("MERGE INTO " + OUTBOX
                         + " (exchange_id, run_id, exchange, completed_at) KEY (exchange_id) VALUES (?, ?, ?, ?)")) {
                while (rows.next()) {
                    Exchange completed = codec.unmarshallExchange(context, rows.getBytes(2), deserializationFilter);
                    RunBuffer run = completed.getMessage().getBody(RunBuffer.class);
                    insert.setString(1, rows.getString(1));
                    insert.setString(2, run != null ? run.getRunId()
                            : completed.getMessage().getHeader(BridgeHeaders.RUN_ID, String.class));
                    insert.setBytes(3, rows.getBytes(2));
                    insert.setTimestamp(4, new Timestamp(System.currentTimeMillis()));
                    insert.addBatch();
                    unfinished++;
                }
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

    private static boolean tableExists(Connection connection, String table) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, table.toUpperCase(Locale.ROOT),
                null)) {
            return tables.next();
        }
    }

    @Override
    protected void doStart() throws Exception {
        if (camelContext != null) {
            load(camelContext);
            migrateLegacy(camelContext);
        }
        checkpoints = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "run-buffer-checkpoint");
            thread.setDaemon(true);
            return thread;
        });
        checkpoints.scheduleWithFixedDelay(this::checkpoint, checkpointMs, checkpointMs, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        if (checkpoints != null) {
            checkpoints.shutdown();
            checkpoints.awaitTermination(10, TimeUnit.SECONDS);
            checkpoints = null;
        }
        // A graceful stop writes every open buffer.
        checkpoint();
        buffers.clear();
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
