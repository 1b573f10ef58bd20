package io.collavre.openclaw.bridge.state;

import java.util.LinkedHashSet;
import java.util.Set;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.jdbc.ClusteredJdbcAggregationRepository;
import org.apache.camel.processor.aggregate.jdbc.PostgresAggregationRepository;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The run buffers on a PostgreSQL database shared by several bridges: Camel's
 * {@link ClusteredJdbcAggregationRepository} (optimistic locking on a version column, recovery of completed runs
 * whose delivery never ended, each completed run marked with the bridge delivering it), with three changes:
 * <ul>
 * <li>A new buffer is written with {@code INSERT ... ON CONFLICT DO NOTHING}: when two bridges open the same run
 * at once, the second gets an optimistic locking failure (and the aggregator tries again on the stored buffer)
 * instead of a failed statement. Camel's {@link PostgresAggregationRepository} means to do that, but in 4.17.0 its
 * statement leaves out the version column and binds one parameter too many, which PostgreSQL refuses.</li>
 * <li>Completing a buffer another bridge changed or completed since it was read is an optimistic locking failure
 * (Camel's repository deletes with the version check but ignores that nothing was deleted, and would complete the
 * run a second time).</li>
 * <li>Recovery takes the completed runs of this bridge and those of bridges that are dead (no heartbeat in
 * {@code bridge_instances} for the instance timeout); a dead bridge's run is claimed with one conditional update,
 * so exactly one survivor delivers it.</li>
 * </ul>
 */
public class PostgresRunBufferStore extends ClusteredJdbcAggregationRepository {

    static final String TABLE = "run_buffers";

    private final long instanceTimeoutMs;

    public PostgresRunBufferStore(DataSource dataSource, String instanceId, long instanceTimeoutMs) {
        super(new DataSourceTransactionManager(dataSource), TABLE, dataSource);
        setInstanceId(instanceId);
        setRecoveryByInstance(true);
        this.instanceTimeoutMs = instanceTimeoutMs;
    }

    @Override
    protected void insert(CamelContext camelContext, String correlationId, Exchange exchange, String repositoryName,
                          Long version) throws Exception {
        if (exchange.getProperty(VERSION_PROPERTY) != null) {
            // The buffer was read from the table, and another bridge has completed (deleted) it since: Camel would
            // insert it again, so the run would complete twice. Make the aggregator read again instead.
            throw new OptimisticLockingException();
        }
        super.insert(camelContext, correlationId, exchange, repositoryName, version);
    }

    @Override
    protected int insertHelper(CamelContext camelContext, String key, Exchange exchange, String sql, Long version)
            throws Exception {
        // Only the buffers table is written through here (completed runs go through the instance-aware variant).
        int inserted = super.insertHelper(camelContext, key, exchange, sql + " ON CONFLICT DO NOTHING", version);
        if (inserted == 0) {
            throw new OptimisticLockingException();
        }
        return inserted;
    }

    @Override
    public void remove(CamelContext camelContext, String correlationId, Exchange exchange) {
        transactionTemplate.executeWithoutResult(status -> {
            long version = exchange.getProperty(VERSION_PROPERTY, Long.class);
            int deleted = jdbcTemplate.update("DELETE FROM " + TABLE + " WHERE " + ID + " = ? AND " + VERSION + " = ?",
                    correlationId, version);
            if (deleted != 1) {
                // Another bridge added to or completed this run since it was read: the aggregator reads it again.
                throw new OptimisticLockingException();
            }
            try {
                insert(camelContext, exchange.getExchangeId(), exchange, getRepositoryNameCompleted(), version, true);
            } catch (Exception e) {
                throw new IllegalStateException("Error completing run buffer " + correlationId, e);
            }
        });
    }

    @Override
    public Set<String> scan(CamelContext camelContext) {
        return new LinkedHashSet<>(jdbcTemplate.queryForList(
                "SELECT id FROM " + getRepositoryNameCompleted() + " WHERE instance_id = ? OR instance_id IS NULL"
                + " OR instance_id NOT IN (SELECT instance_id FROM bridge_instances WHERE last_seen > now() - ?"
                + " * interval '1 millisecond')",
                String.class, getInstanceId(), instanceTimeoutMs));
    }

    @Override
    public Exchange recover(CamelContext camelContext, String exchangeId) {
        // A run of a dead bridge becomes this bridge's; when another survivor claimed it first, it is not ours.
        int mine = jdbcTemplate.update("UPDATE " + getRepositoryNameCompleted() + " SET instance_id = ? WHERE id = ?"
                + " AND (instance_id = ? OR instance_id IS NULL OR instance_id NOT IN (SELECT instance_id FROM"
                + " bridge_instances WHERE last_seen > now() - ? * interval '1 millisecond'))",
                getInstanceId(), exchangeId, getInstanceId(), instanceTimeoutMs);
        return mine == 1 ? super.recover(camelContext, exchangeId) : null;
    }
}
