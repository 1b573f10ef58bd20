package io.collavre.openclaw.bridge.dedup;

import java.sql.Timestamp;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import javax.sql.DataSource;

/**
 * The dedup memory on a PostgreSQL database shared by several bridges: {@link ExpiringJdbcMessageIdRepository}
 * (Camel's JDBC idempotent repository whose keys expire after the dedup TTL) where adding a key is one atomic
 * statement, {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE expired}: of two bridges adding the same run id at
 * once exactly one gets {@code true}, and an expired key counts as new. Expired keys are not deleted on every
 * look-up (that would make every dispatch of every bridge lock the same rows): {@link #purgeExpired()} deletes
 * them, called by the state-maintenance route. The table comes from the schema script, not from Camel.
 */
public class PostgresMessageIdRepository extends ExpiringJdbcMessageIdRepository {

    private volatile Predicate<String> claims;

    public PostgresMessageIdRepository(DataSource dataSource, String processorName, long ttlMillis) {
        this(dataSource, processorName, ttlMillis, System::currentTimeMillis);
    }

    public PostgresMessageIdRepository(DataSource dataSource, String processorName, long ttlMillis,
                                       LongSupplier clock) {
        super(dataSource, processorName, ttlMillis, clock);
        setCreateTableIfNotExists(false);
    }

    /**
     * Claims keys another way: the shared store's writer, which claims the keys of many runs in one statement
     * (state/SharedWriteBehindRunBufferStore#claimDispatch). Without it, each add is a statement of its own.
     */
    public void setClaims(Predicate<String> claims) {
        this.claims = claims;
    }

    @Override
    public boolean add(String key) {
        if (claims != null) {
            return claims.test(key);
        }
        long now = now();
        return jdbcTemplate.update("INSERT INTO CAMEL_MESSAGEPROCESSED AS seen (processorName, messageId, createdAt)"
                                   + " VALUES (?, ?, ?) ON CONFLICT (processorName, messageId)"
                                   + " DO UPDATE SET createdAt = EXCLUDED.createdAt WHERE seen.createdAt <= ?",
                processorName, key, new Timestamp(now), expiredAtOrBefore(now)) == 1;
    }

    @Override
    protected int queryForInt(String key) {
        return jdbcTemplate.queryForObject("SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED WHERE processorName = ?"
                                           + " AND messageId = ? AND createdAt > ?", Integer.class,
                processorName, key, expiredAtOrBefore(now()));
    }

    /** Deletes the keys older than the TTL; returns how many. */
    public int purgeExpired() {
        return jdbcTemplate.update("DELETE FROM CAMEL_MESSAGEPROCESSED WHERE processorName = ? AND createdAt <= ?",
                processorName, expiredAtOrBefore(now()));
    }
}
