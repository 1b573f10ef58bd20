package io.collavre.openclaw.bridge.dedup;

import java.sql.Timestamp;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;

/**
 * Camel's JDBC idempotent repository (a database table that survives restarts) whose keys are forgotten a fixed
 * time after they were added, like {@link ExpiringIdempotentRepository}: expired keys are deleted before every
 * look-up, in the same transaction.
 */
public class ExpiringJdbcMessageIdRepository extends JdbcMessageIdRepository {

    private final long ttlMillis;
    private final LongSupplier clock;

    public ExpiringJdbcMessageIdRepository(DataSource dataSource, String processorName, long ttlMillis) {
        this(dataSource, processorName, ttlMillis, System::currentTimeMillis);
    }

    public ExpiringJdbcMessageIdRepository(DataSource dataSource, String processorName, long ttlMillis,
                                           LongSupplier clock) {
        super(dataSource, processorName);
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis must be positive, was " + ttlMillis);
        }
        this.ttlMillis = ttlMillis;
        this.clock = clock;
        // Run ids may be up to proactive.max-run-id-chars (200) long; Camel's default column takes 100.
        setCreateString(DEFAULT_CREATE_STRING.replace("messageId VARCHAR(100)", "messageId VARCHAR(255)"));
    }

    /** The time now, by this repository's clock, in ms. */
    protected final long now() {
        return clock.getAsLong();
    }

    /** Keys added at or before this time, {@code now} minus the TTL, are expired. */
    protected final Timestamp expiredAtOrBefore(long now) {
        return new Timestamp(now - ttlMillis);
    }

    @Override
    protected int queryForInt(String key) {
        jdbcTemplate.update("DELETE FROM CAMEL_MESSAGEPROCESSED WHERE processorName = ? AND createdAt <= ?",
                processorName, expiredAtOrBefore(now()));
        return super.queryForInt(key);
    }

    @Override
    protected int insert(String key) {
        return jdbcTemplate.update(getInsertString(), processorName, key, new Timestamp(now()));
    }

    /** Keys remembered now (expired ones not counted). */
    public int getSize() {
        return jdbcTemplate.queryForObject(
                "SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED WHERE processorName = ? AND createdAt > ?", Integer.class,
                processorName, expiredAtOrBefore(now()));
    }
}
