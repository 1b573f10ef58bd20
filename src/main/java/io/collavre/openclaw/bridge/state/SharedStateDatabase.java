package io.collavre.openclaw.bridge.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.collavre.openclaw.bridge.dedup.PostgresMessageIdRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The PostgreSQL database several bridges share (proactive.state-store=postgresql): its HikariCP pool, closed when
 * Camel stops, the optional creation of its schema ({@code db/postgresql-schema.sql}) and this bridge's heartbeat
 * and the purge of expired dedup keys, run by the state-maintenance route.
 */
public class SharedStateDatabase extends ServiceSupport implements StateMaintenance {

    static final String SCHEMA = "db/postgresql-schema.sql";
    /** Held while the schema is created, so that bridges starting together do not trip over each other. */
    static final long SCHEMA_LOCK = 0x6f70656e636c6177L;
    private static final Logger LOG = LoggerFactory.getLogger(SharedStateDatabase.class);

    private final HikariDataSource pool;
    private final JdbcTemplate jdbc;
    private final String instanceId;
    private PostgresMessageIdRepository dispatchedRuns;

    /**
     * @param url      JDBC URL, {@code jdbc:postgresql://host:port/database}
     * @param password never logged
     */
    public SharedStateDatabase(String url, String user, String password, int poolSize, long connectionTimeoutMs,
                               String instanceId) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("bridge-state");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(connectionTimeoutMs);
        // A checkpoint's batch of buffer rows goes as multi-row statements, not one round trip per row.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // Fail at startup, within the connection timeout, when the database cannot be reached.
        config.setInitializationFailTimeout(connectionTimeoutMs);
        this.pool = new HikariDataSource(config);
        this.jdbc = new JdbcTemplate(pool);
        this.instanceId = instanceId;
    }

    public DataSource dataSource() {
        return pool;
    }

    public String instanceId() {
        return instanceId;
    }

    void setDispatchedRuns(PostgresMessageIdRepository dispatchedRuns) {
        this.dispatchedRuns = dispatchedRuns;
    }

    /** Runs the schema script in one transaction: creates the tables and indexes that are missing. */
    public void createSchema() throws SQLException, IOException {
        try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                sql.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                for (String statement : statements(schemaScript())) {
                    sql.execute(statement);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    static String schemaScript() throws IOException {
        try (InputStream in = SharedStateDatabase.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IOException(SCHEMA + " not found on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The statements of a script of plain statements ending with ';' and '--' comment lines. */
    static List<String> statements(String script) {
        StringBuilder text = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                text.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : text.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    /** This bridge is alive: refreshes its row in bridge_instances (the database's clock). */
    public void heartbeat() {
        jdbc.update("INSERT INTO bridge_instances (instance_id, last_seen) VALUES (?, now())"
                    + " ON CONFLICT (instance_id) DO UPDATE SET last_seen = now()", instanceId);
    }

    /** The state-maintenance route's tick: heartbeat, then the purge of expired dedup keys; returns the keys purged. */
    @Override
    public int maintain() {
        heartbeat();
        return dispatchedRuns == null ? 0 : dispatchedRuns.purgeExpired();
    }

    @Override
    protected void doStop() {
        // A bridge that stops cleanly is gone at once: its unfinished deliveries (if any) are taken over without
        // waiting for the instance timeout.
        try {
            jdbc.update("DELETE FROM bridge_instances WHERE instance_id = ?", instanceId);
        } catch (RuntimeException e) {
            LOG.warn("instance={} outcome=not-unregistered reason={}", instanceId, e.getClass().getSimpleName());
        }
        pool.close();
    }
}
