package io.collavre.openclaw.bridge.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.curator.CuratorZookeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds Gateway connections while this bridge's ZooKeeper session may still be alive, and no longer.
 *
 * <p>ZooKeeper expires a session once the session timeout {@code T} has passed since the server last heard from
 * the client; from then on another bridge can be elected for this bridge's accounts, and the ZooKeeper cluster
 * service does not tell the {@code master:} consumers so (they would keep their connections, and the account be
 * held twice). An outage shorter than that costs nothing: the session survives it, and so may the connections.
 * So when the connection to ZooKeeper is suspended, this guard keeps the guarded routes running until 90% of
 * {@code T} has passed since it sent the last request ZooKeeper answered, and only then stops them, which closes
 * their connections and leaves the elections; it stops them at once when Curator reports the session lost. A
 * suspension that ends in time releases nothing; routes it released are started again when ZooKeeper is back,
 * which puts this bridge in line again.
 *
 * <p>Why not simply wait for Curator's LOST: in a network partition the ZooKeeper client notices the silence only
 * after two thirds of {@code T} (SUSPENDED), and Curator posts LOST a whole {@code T} after that, when the server
 * may have expired the session two thirds of {@code T} before and the next bridge be connected. The server goes
 * by when it last heard from this bridge, which the ZooKeeper client does not tell; so the guard asks ZooKeeper a
 * trivial question (does {@code /} exist) every {@code T/20} and remembers when it sent the last one answered:
 * the server touched the session after that, so it expires it no earlier than {@code T} later. The remaining 10%
 * of {@code T} is the margin for stopping the routes (and the next bridge opens its connection a second after
 * its election, on top of that).
 *
 * <p>It owns the Curator client the cluster service uses (built with Curator's session error policy, so that the
 * elections too hold through a suspension), and closes it on stop.
 */
public final class ZooKeeperConnectionGuard extends ServiceSupport implements ConnectionStateListener {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperConnectionGuard.class);
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final int PROBES_PER_SESSION_TIMEOUT = 20;
    private static final int HOLD_PERCENT = 90;
    private static final long MIN_PROBE_INTERVAL_MS = 50;
    /** {@link #lastAnsweredProbe} before ZooKeeper answered any. */
    private static final long NEVER = Long.MIN_VALUE;

    private final CamelContext context;
    private final CuratorFramework curator;
    private final String nodeId;
    private final int sessionTimeoutMs;
    private final List<String> routeIds = new CopyOnWriteArrayList<>();
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    /** When ({@link System#nanoTime()}) the last probe ZooKeeper answered was sent. */
    private final AtomicLong lastAnsweredProbe = new AtomicLong(NEVER);
    private ScheduledExecutorService executor;
    /** The release a suspension scheduled; read and written on the executor's thread only. */
    private ScheduledFuture<?> pendingRelease;

    public ZooKeeperConnectionGuard(CamelContext context, CuratorFramework curator, String nodeId,
                                    int sessionTimeoutMs) {
        this.context = context;
        this.curator = curator;
        this.nodeId = nodeId;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** Guards a route whose consumer holds a connection only as elected leader. */
    public void guard(String routeId) {
        routeIds.add(routeId);
    }

    /** Whether the guard stopped the route because the session may have expired, and will start it again. */
    public boolean isReleased(String routeId) {
        return released.contains(routeId);
    }

    @Override
    protected void doStart() {
        // One thread: probes, releases and rejoins happen in the order ZooKeeper's state changed.
        executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this,
                "ZooKeeperConnectionGuard");
        curator.getConnectionStateListenable().addListener(this);
        long probeIntervalMs = Math.max(MIN_PROBE_INTERVAL_MS, sessionTimeoutMs / PROBES_PER_SESSION_TIMEOUT);
        executor.scheduleWithFixedDelay(this::probe, 0, probeIntervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        curator.getConnectionStateListenable().removeListener(this);
        if (executor != null) {
            context.getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
        curator.close();
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        ScheduledExecutorService current = executor;
        if (current == null || !isRunAllowed()) {
            return;
        }
        switch (state) {
            case SUSPENDED -> current.execute(this::holdUntilTheSessionMayExpire);
            case LOST -> current.execute(() -> release(ConnectionState.LOST));
            case CONNECTED, RECONNECTED -> current.execute(() -> rejoin(state));
            default -> {
            }
        }
    }

    /** Sends a request whose answer shows the session alive on the server at least until T after it was sent. */
    private void probe() {
        CuratorZookeeperClient client = curator.getZookeeperClient();
        if (!isRunAllowed() || !client.isConnected()) {
            return;
        }
        long sentAt = System.nanoTime();
        try {
            client.getZooKeeper().exists("/", false, (rc, path, ctx, stat) -> {
                // "No node" is an answer too (a chroot not created yet): the server processed the request.
                if (rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NONODE.intValue()) {
                    lastAnsweredProbe.accumulateAndGet(sentAt, Math::max);
                }
            }, null);
        } catch (Exception e) {
            // Not connected after all: the next probe tries again.
            LOG.debug("cluster=zookeeper node={} probe=failed error={}", nodeId, e.getMessage());
        }
    }

    /** How long the guarded routes may still run, from now: until HOLD_PERCENT of T after the last answer. */
    private long holdMs() {
        long answered = lastAnsweredProbe.get();
        if (answered == NEVER) {
            return 0;
        }
        long timeoutMs = sessionTimeoutMs;
        // The server may have granted a shorter timeout than asked for (at most 20 of its ticks).
        int negotiated = curator.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
        if (negotiated > 0) {
            timeoutMs = Math.min(timeoutMs, negotiated);
        }
        long holdUntil = answered + TimeUnit.MILLISECONDS.toNanos(timeoutMs * HOLD_PERCENT / 100);
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(holdUntil - System.nanoTime()));
    }

    private void holdUntilTheSessionMayExpire() {
        if (pendingRelease != null || !isRunAllowed()) {
            return;
        }
        long holdMs = holdMs();
        LOG.info("cluster=zookeeper node={} zookeeper=SUSPENDED holdMs={} outcome=holding", nodeId, holdMs);
        pendingRelease = executor.schedule(() -> {
            pendingRelease = null;
            release(ConnectionState.SUSPENDED);
        }, holdMs, TimeUnit.MILLISECONDS);
    }

    private void cancelPendingRelease() {
        if (pendingRelease != null) {
            pendingRelease.cancel(false);
            pendingRelease = null;
        }
    }

    private void release(ConnectionState state) {
        cancelPendingRelease();
        for (String routeId : routeIds) {
            if (!isRunAllowed() || released.contains(routeId)) {
                continue;
            }
            try {
                if (context.getRouteController().getRouteStatus(routeId).isStarted()) {
                    context.getRouteController().stopRoute(routeId, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    released.add(routeId);
                    LOG.warn("cluster=zookeeper node={} route={} zookeeper={} outcome=released", nodeId, routeId, state);
                }
            } catch (Exception e) {
                LOG.error("cluster=zookeeper node={} route={} zookeeper={} outcome=release-failed error={}", nodeId,
                        routeId, state, e.getMessage());
            }
        }
    }

    private void rejoin(ConnectionState state) {
        if (pendingRelease != null) {
            cancelPendingRelease();
            LOG.info("cluster=zookeeper node={} zookeeper={} outcome=held", nodeId, state);
        }
        for (String routeId : List.copyOf(released)) {
            if (!isRunAllowed()) {
                return;
            }
            try {
                context.getRouteController().startRoute(routeId);
                released.remove(routeId);
                LOG.info("cluster=zookeeper node={} route={} zookeeper={} outcome=in-line-again", nodeId, routeId,
                        state);
            } catch (Exception e) {
                LOG.error("cluster=zookeeper node={} route={} outcome=rejoin-failed error={}", nodeId, routeId,
                        e.getMessage());
            }
        }
    }
}
