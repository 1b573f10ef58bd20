package io.collavre.openclaw.bridge.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.dedup.ExpiringIdempotentRepository;
import io.collavre.openclaw.bridge.dedup.ExpiringJdbcMessageIdRepository;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.processor.aggregate.MemoryAggregationRepository;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Binds the two pieces of run state the routes use, in memory (the fast default) or, with
 * {@code proactive.persistent=true}, in an embedded H2 database file under {@code proactive.state-dir}:
 * <ul>
 * <li>{@code runBufferRepository}: the aggregator's run buffers. Persistent: Camel's
 * {@link JdbcAggregationRepository} with recovery, so open buffers survive a restart and a completed run whose
 * delivery had not ended is delivered again after one.</li>
 * <li>{@code dispatchedRuns}: the dedup memory of dispatched run ids, forgotten after
 * {@code proactive.dedup-ttl-seconds}. Persistent: Camel's JDBC idempotent repository with that TTL.</li>
 * </ul>
 * A configuration class because the choice between two implementations cannot be written as a YAML bean.
 */
@Configuration
public class RunStateConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RunStateConfiguration.class);

    /** The run buffers are Java-serialized by the JDBC repository: only these classes may be read back. */
    static final String DESERIALIZATION_FILTER = "java.**;org.apache.camel.**;io.collavre.openclaw.bridge.chat.RunBuffer;!*";

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        boolean persistent = Boolean.parseBoolean(property(properties, "proactive.persistent", "false").trim());
        int maxOpen = Integer.parseInt(property(properties, "proactive.max-open-buffers", "500").trim());
        long dedupTtlSeconds = Long.parseLong(property(properties, "proactive.dedup-ttl-seconds", "60").trim());

        RunBufferRepository buffers;
        if (persistent) {
            Path dir = Path.of(property(properties, "proactive.state-dir", "data/state")).toAbsolutePath();
            long recoveryMs = Long.parseLong(property(properties, "proactive.recovery-interval-ms", "5000").trim());
            EmbeddedDatabase database = new EmbeddedDatabase(dir);
            context.addService(database, true, true);

            JdbcAggregationRepository store = new JdbcAggregationRepository(
                    new DataSourceTransactionManager(database.pool), "run_buffers", database.pool);
            store.setUseRecovery(true);
            store.setRecoveryInterval(recoveryMs);
            store.setDeserializationFilter(DESERIALIZATION_FILTER);
            buffers = new RunBufferRepository(store);
            context.getRegistry().bind("dispatchedRuns", new ExpiringJdbcMessageIdRepository(
                    database.pool, "dispatchedRuns", dedupTtlSeconds * 1000));
            LOG.info("state=persistent dir={} outcome=configured", dir);
        } else {
            buffers = new RunBufferRepository(new MemoryAggregationRepository());
            ExpiringIdempotentRepository dispatched = new ExpiringIdempotentRepository();
            dispatched.setTtlSeconds(dedupTtlSeconds);
            context.getRegistry().bind("dispatchedRuns", dispatched);
            LOG.info("state=memory outcome=configured");
        }
        buffers.setMaxOpenBuffers(maxOpen);
        context.getRegistry().bind("runBufferRepository", buffers);
    }

    private static String property(PropertiesComponent properties, String key, String defaultValue) {
        return properties.resolveProperty(key).filter(v -> !v.isBlank()).orElse(defaultValue);
    }

    /** The H2 database file and its connection pool, closed when Camel stops. */
    static final class EmbeddedDatabase extends ServiceSupport {

        final JdbcConnectionPool pool;

        EmbeddedDatabase(Path dir) throws Exception {
            Files.createDirectories(dir);
            // WRITE_DELAY=0: a committed change is on disk before the call returns, so a killed process loses none.
            // TRACE_LEVEL_FILE=0: no trace file (Camel probes for its table by catching the error).
            pool = JdbcConnectionPool.create(
                    "jdbc:h2:file:" + dir.resolve("bridge-state") + ";WRITE_DELAY=0;TRACE_LEVEL_FILE=0", "bridge", "");
            try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
                for (String table : new String[] { "run_buffers", "run_buffers_completed" }) {
                    sql.execute("CREATE TABLE IF NOT EXISTS " + table + " (id VARCHAR(255) NOT NULL PRIMARY KEY,"
                                + " exchange BLOB NOT NULL, version BIGINT NOT NULL)");
                }
            }
        }

        @Override
        protected void doStop() {
            pool.dispose();
        }
    }
}
