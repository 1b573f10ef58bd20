package io.collavre.openclaw.bridge.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.CompletedRunFailures;
import io.collavre.openclaw.bridge.chat.RunBufferAggregationStrategy;
import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.collavre.DeliveryBacklog;
import io.collavre.openclaw.bridge.deadletter.DeadLetterStore;
import io.collavre.openclaw.bridge.dedup.ExpiringFingerprintRepository;
import io.collavre.openclaw.bridge.cluster.GatewayCluster;
import io.collavre.openclaw.bridge.dedup.ExpiringIdempotentRepository;
import io.collavre.openclaw.bridge.dedup.WrittenBehindIdempotentRepository;
import io.collavre.openclaw.bridge.dedup.PostgresMessageIdRepository;
import io.collavre.openclaw.bridge.ops.LogSafe;
import io.collavre.openclaw.bridge.websocket.ConnectionListener;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.Exchange;
import org.apache.camel.PropertyInject;
import org.apache.camel.Route;
import org.apache.camel.Service;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.processor.aggregate.MemoryAggregationRepository;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the two pieces of run state the routes use, chosen by {@code proactive.state-store}: in memory (the fast
 * default), in an embedded H2 database file under {@code proactive.state-dir} ({@code embedded}, or the older
 * {@code proactive.persistent=true}), or in a PostgreSQL database shared by several bridges ({@code postgresql},
 * see {@link SharedWriteBehindRunBufferStore} and {@link PostgresMessageIdRepository}):
 * <ul>
 * <li>{@code runBufferRepository}: the aggregator's run buffers. Embedded: in memory, written behind to H2 by
 * {@link WriteBehindRunBufferStore} with recovery, so open buffers survive a restart (less the last checkpoint
 * interval after a crash) and a completed run whose delivery had not ended is delivered again after one.
 * PostgreSQL: the same, each account's buffers held by the bridge connected to it and handed over with the
 * connection ({@code accountBufferHandover}).</li>
 * <li>{@code dispatchedRuns}: the dedup memory of dispatched run ids, forgotten after
 * {@code proactive.dedup-ttl-seconds}. Embedded: in memory, written behind. PostgreSQL: one shared table.</li>
 * </ul>
 * It also binds the other beans that hold state the routes share: {@code recentFrames} (the duplicate-frame memory),
 * {@code collavreBacklog} (the delivery's threads and the runs waiting for Collavre) and {@code deadLetterStore}
 * (which tracks the deliveries in flight). They are bound here, once, not as YAML beans: a live reload of a route file
 * creates its YAML beans anew, and these must outlive any reload ({@link io.collavre.openclaw.bridge.ContextScope}).
 * A configuration class because the choice between the stores cannot be written as a YAML bean.
 */
@Configuration
public class RunStateConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RunStateConfiguration.class);

    static final String MEMORY = "memory";
    static final String EMBEDDED = "embedded";
    static final String POSTGRESQL = "postgresql";
    /** Set here for the routes: true when the state store is shared by several bridges. */
    public static final String SHARED_PROPERTY = "bridge.state.shared";

    /** The id of the Aggregator in routes/run-buffer.yaml. */
    static final String RUN_BUFFERS = "run-buffers";

    /** The run buffers are Java-serialized by the JDBC repository: only these classes may be read back. */
    static final String DESERIALIZATION_FILTER = "java.**;org.apache.camel.**;io.collavre.openclaw.bridge.chat.RunBuffer;!*";

    // The settings, injected by Camel Main from application.properties (where their defaults and comments are).
    @PropertyInject("proactive.state-store")
    String stateStore;
    @PropertyInject("proactive.persistent")
    boolean persistent;
    @PropertyInject("proactive.max-open-buffers")
    int maxOpenBuffers;
    @PropertyInject("proactive.dedup-ttl-seconds")
    long dedupTtlSeconds;
    @PropertyInject("proactive.buffer-ttl-seconds")
    long bufferTtlSeconds;
    @PropertyInject("proactive.recovery-interval-ms")
    long recoveryIntervalMs;
    @PropertyInject("proactive.checkpoint-interval-ms")
    long checkpointIntervalMs;
    @PropertyInject("proactive.state-dir")
    String stateDir;
    @PropertyInject("proactive.state-cache-kb")
    int stateCacheKb;
    @PropertyInject("bridge.db.url")
    String dbUrl;
    @PropertyInject("bridge.db.user")
    String dbUser;
    @PropertyInject("bridge.db.password")
    String dbPassword;
    @PropertyInject("bridge.db.pool-size")
    int dbPoolSize;
    @PropertyInject("bridge.db.connection-timeout-ms")
    long dbConnectionTimeoutMs;
    @PropertyInject("bridge.db.instance-timeout-ms")
    long dbInstanceTimeoutMs;
    @PropertyInject("bridge.db.create-schema")
    boolean dbCreateSchema;
    @PropertyInject("bridge.db.claim-gather-max-ms")
    long dbClaimGatherMaxMs;
    @PropertyInject("proactive.duplicate-frame-window-seconds")
    long duplicateFrameWindowSeconds;
    @PropertyInject("proactive.duplicate-frame-max-keys")
    int duplicateFrameMaxKeys;
    @PropertyInject("collavre.max-posts-in-flight")
    int maxPostsInFlight;
    @PropertyInject("collavre.max-waiting-runs")
    int maxWaitingRuns;
    @PropertyInject("deadletter.dir")
    String deadLetterDir;
    @PropertyInject("bridge.cluster.node-id")
    String nodeId;

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        String store = stateStore(stateStore, persistent);

        RunBufferRepository buffers;
        if (POSTGRESQL.equals(store)) {
            buffers = new RunBufferRepository(configurePostgres(context));
            // The buffers of an account follow its connection from bridge to bridge.
            RunBufferRepository repository = buffers;
            context.getRegistry().bind("accountBufferHandover", ConnectionListener.class, new ConnectionListener() {
                @Override
                public void starting(String account) {
                    expireWithTheBufferTtl(context, repository, repository.takeOver(account));
                }

                @Override
                public void stopped(String account) {
                    repository.handOver(account);
                }
            });
        } else if (EMBEDDED.equals(store)) {
            Path dir = Path.of(stateDir.trim()).toAbsolutePath();
            EmbeddedDatabase database = new EmbeddedDatabase(dir, stateCacheKb);
            context.addService(database, true, true);

            // Buffers in memory, written behind every proactive.checkpoint-interval-ms; a completed run is written
            // once (its outbox row) by the next group commit, while its first post goes.
            WriteBehindRunBufferStore jdbcStore = new WriteBehindRunBufferStore(database.pool, checkpointIntervalMs,
                    DESERIALIZATION_FILTER);
            jdbcStore.setCamelContext(context);
            jdbcStore.setUseRecovery(true);
            jdbcStore.setRecoveryInterval(recoveryIntervalMs);
            jdbcStore.setBufferTtlMillis(bufferTtlSeconds * 1000);
            buffers = new RunBufferRepository(jdbcStore);
            // The dedup memory in memory too, its keys written behind by the same writer and read back at start.
            WrittenBehindIdempotentRepository dispatched = new WrittenBehindIdempotentRepository(
                    jdbcStore.dispatchedRunWrites("dispatchedRuns", dedupTtlSeconds * 1000));
            dispatched.setTtlSeconds(dedupTtlSeconds);
            dispatched.setCamelContext(context);
            context.getRegistry().bind("dispatchedRuns", dispatched);
            LOG.info("state=persistent store=embedded dir={} checkpointMs={} cacheKb={} outcome=configured", dir,
                    checkpointIntervalMs, stateCacheKb);
        } else {
            buffers = new RunBufferRepository(new MemoryAggregationRepository());
            ExpiringIdempotentRepository dispatched = new ExpiringIdempotentRepository();
            dispatched.setTtlSeconds(dedupTtlSeconds);
            dispatched.setCamelContext(context);
            context.getRegistry().bind("dispatchedRuns", dispatched);
            LOG.info("state=memory outcome=configured");
        }
        // Read by the routes: the state-maintenance route exists only when several bridges may share the buffers.
        properties.addInitialProperty(SHARED_PROPERTY, String.valueOf(POSTGRESQL.equals(store)));
        buffers.setMaxOpenBuffers(maxOpenBuffers);
        buffers.setCamelContext(context);
        context.getRegistry().bind("runBufferRepository", buffers);
        bindSharedState(context);
        // A completed run's first post does not wait for its outbox row (written by the store's next group commit):
        // a crash before that commit loses the run unless the post got through, whether the post waited or not.
        // With PostgreSQL the dispatch waits for its dedup claim, which must be answered before a post: the claim
        // is made in the commit of the run's outbox row, so a bridge that claimed a run has it on disk, and a bridge
        // that died before that commit left no claim to stop another from posting the run.
        // Set on every Aggregator of the run buffers as it is created, the one a live reload creates included: a
        // completed run that fails on the Aggregator's thread is reported by its runId, and whether it is lost.
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onServiceAdd(CamelContext camelContext, Service service, Route route) {
                if (service instanceof AggregateProcessor aggregator && RUN_BUFFERS.equals(aggregator.getId())) {
                    aggregator.setExceptionHandler(new CompletedRunFailures(buffers.isUseRecovery()));
                }
            }
        });
        context.getRegistry().bind("deltaOverBufferCap", buffers.deltaOverCap());
        context.getRegistry().bind("finalWithoutBuffer", buffers.finalWithoutBuffer());
    }

    /**
     * Runs taken over from another bridge once the Aggregator runs: it reads the buffers of its repository only when
     * it starts, to purge each once the buffer TTL has passed, so each taken-over run is handed to it as an open event
     * (which adds nothing to the buffer) and its completion timeout purges the run unless its final comes: a TTL
     * counted from the takeover. A run taken over before the Aggregator starts is among the buffers it reads.
     */
    private static void expireWithTheBufferTtl(CamelContext context, RunBufferRepository buffers, Set<String> runIds) {
        AggregateProcessor aggregator = context.getProcessor(RUN_BUFFERS, AggregateProcessor.class);
        if (runIds.isEmpty() || aggregator == null || !aggregator.isStarted()) {
            return;
        }
        for (String runId : runIds) {
            if (!buffers.isOpen(runId)) {
                // Gone meanwhile (handed over again): an open event would make it an empty buffer.
                continue;
            }
            Exchange open = new DefaultExchange(context);
            open.getMessage().setHeader(BridgeHeaders.RUN_ID, runId);
            open.getMessage().setHeader(BridgeHeaders.STATE, RunBufferAggregationStrategy.OPEN);
            try {
                aggregator.process(open);
            } catch (Exception e) {
                open.setException(e);
            }
            if (open.getException() != null) {
                LOG.warn("runId={} state=takeover outcome=no-ttl reason={}", LogSafe.value(runId),
                        LogSafe.value(open.getException().toString()));
            }
        }
    }

    /** The state beans that do not depend on the store: the same for all three. */
    private void bindSharedState(CamelContext context) throws Exception {
        // Remembers frame identities as 64-bit fingerprints in arrays allocated once: no garbage per frame to copy.
        ExpiringFingerprintRepository recentFrames = new ExpiringFingerprintRepository();
        recentFrames.setTtlSeconds(duplicateFrameWindowSeconds);
        recentFrames.setMaxSize(duplicateFrameMaxKeys);
        recentFrames.setCamelContext(context);
        context.getRegistry().bind("recentFrames", recentFrames);

        // Every completed run comes through it (the Aggregator's executorService), retries wait on it, at most
        // collavre.max-posts-in-flight posts are in flight, and past collavre.max-waiting-runs a further run is not
        // queued (see collavre/DeliveryBacklog). Shut down with the registry, when the bridge stops.
        DeliveryBacklog backlog = new DeliveryBacklog(maxPostsInFlight);
        backlog.setMaxWaitingRuns(maxWaitingRuns);
        context.getRegistry().bind("collavreBacklog", DeliveryBacklog.class, backlog, null, "shutdownNow");

        DeadLetterStore deadLetters = new DeadLetterStore();
        deadLetters.setDir(deadLetterDir.trim());
        deadLetters.setCamelContext(context);
        context.getRegistry().bind("deadLetterStore", deadLetters);
    }

    /** memory, embedded or postgresql; {@code proactive.persistent=true} (the older setting) means embedded. */
    static String stateStore(String configured, boolean persistent) {
        String store = configured.trim().toLowerCase(Locale.ROOT);
        if (!List.of(MEMORY, EMBEDDED, POSTGRESQL).contains(store)) {
            throw new IllegalArgumentException("proactive.state-store must be memory, embedded or postgresql, was '"
                                               + configured + "'");
        }
        return MEMORY.equals(store) && persistent ? EMBEDDED : store;
    }

    private WriteBehindRunBufferStore configurePostgres(CamelContext context) throws Exception {
        String url = dbUrl.trim();
        if (url.isEmpty()) {
            throw new IllegalArgumentException("proactive.state-store=postgresql needs bridge.db.url (BRIDGE_DB_URL),"
                                               + " e.g. jdbc:postgresql://db-host:5432/bridge");
        }
        String instanceId = GatewayCluster.nodeId(nodeId);

        SharedStateDatabase database = new SharedStateDatabase(url, dbUser.trim(), dbPassword, dbPoolSize,
                dbConnectionTimeoutMs, instanceId);
        context.addService(database, true, true);
        if (dbCreateSchema) {
            database.createSchema();
        }
        database.heartbeat();

        // Buffers in memory on the bridge connected to their account, written behind as with the embedded store.
        SharedWriteBehindRunBufferStore jdbcStore = new SharedWriteBehindRunBufferStore(database.dataSource(),
                instanceId, dbInstanceTimeoutMs, checkpointIntervalMs, dbConnectionTimeoutMs, DESERIALIZATION_FILTER);
        jdbcStore.setCamelContext(context);
        jdbcStore.setUseRecovery(true);
        jdbcStore.setRecoveryInterval(recoveryIntervalMs);
        jdbcStore.setBufferTtlMillis(bufferTtlSeconds * 1000);
        jdbcStore.setMaxClaimGatherMillis(dbClaimGatherMaxMs);
        // Shared by every bridge at once: a run reaching two bridges is dispatched by one.
        PostgresMessageIdRepository dispatched = new PostgresMessageIdRepository(database.dataSource(),
                "dispatchedRuns", dedupTtlSeconds * 1000);
        // Claimed by the store's writer: the claims of many runs in one statement of its group commit.
        jdbcStore.setDispatchedRuns("dispatchedRuns", dedupTtlSeconds * 1000);
        dispatched.setClaims(jdbcStore::claimDispatch);
        database.setDispatchedRuns(dispatched);
        context.getRegistry().bind("dispatchedRuns", dispatched);
        context.getRegistry().bind("stateMaintenance", database);
        // The URL without its parameters: they could hold a password.
        LOG.info("state=shared store=postgresql url={} instance={} poolSize={} createSchema={} checkpointMs={}"
                 + " claimGatherMaxMs={} outcome=configured", url.replaceFirst("[?;].*$", ""), instanceId, dbPoolSize,
                dbCreateSchema, checkpointIntervalMs, dbClaimGatherMaxMs);
        return jdbcStore;
    }

    /** The H2 database file and its connection pool, closed when Camel stops. */
    static final class EmbeddedDatabase extends ServiceSupport {

        final JdbcConnectionPool pool;

        EmbeddedDatabase(Path dir, int cacheKb) throws Exception {
            Files.createDirectories(dir);
            // WRITE_DELAY=0: a committed change is on disk before the call returns, so a killed process loses none.
            // TRACE_LEVEL_FILE=0: no trace file (Camel probes for its table by catching the error).
            // CACHE_SIZE (KB): H2's page cache is a long-lived structure that every page read and write updates, so
            // each young collection rescans what changed in it; H2's default (tens of MB) tripled the time the
            // bridge's young collections spent on it, and the pauses' length, for pages the bridge rarely reads back.
            pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("bridge-state")
                    + ";WRITE_DELAY=0;TRACE_LEVEL_FILE=0;CACHE_SIZE=" + cacheKb, "bridge", "");
            // The tables of the store before write-behind are left alone: WriteBehindRunBufferStore moves what they
            // hold at its first start, once.
            try (Connection connection = pool.getConnection()) {
                WriteBehindRunBufferStore.createSchema(connection);
            }
        }

        @Override
        protected void doStop() {
            pool.dispose();
        }
    }
}
