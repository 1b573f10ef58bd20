package io.collavre.openclaw.bridge.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds Gateway connections only while this bridge is in touch with ZooKeeper.
 *
 * <p>When the ZooKeeper connection is suspended, the session may expire any moment and another bridge be elected
 * for this bridge's accounts; the ZooKeeper cluster service does not tell the {@code master:} consumers so (they
 * would keep their connections, and the account be held twice). So this guard stops the guarded routes at once,
 * which closes their connections and leaves the elections, and starts them again when ZooKeeper is back, which puts
 * this bridge in line again. It owns the Curator client the cluster service uses, and closes it on stop.
 */
public final class ZooKeeperConnectionGuard extends ServiceSupport implements ConnectionStateListener {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperConnectionGuard.class);
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final CamelContext context;
    private final CuratorFramework curator;
    private final String nodeId;
    private final List<String> routeIds = new CopyOnWriteArrayList<>();
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private ExecutorService executor;

    public ZooKeeperConnectionGuard(CamelContext context, CuratorFramework curator, String nodeId) {
        this.context = context;
        this.curator = curator;
        this.nodeId = nodeId;
    }

    /** Guards a route whose consumer holds a connection only as elected leader. */
    public void guard(String routeId) {
        routeIds.add(routeId);
    }

    /** Whether the guard stopped the route because ZooKeeper was out of reach, and will start it again. */
    public boolean isReleased(String routeId) {
        return released.contains(routeId);
    }

    @Override
    protected void doStart() {
        // One thread: releases and rejoins happen in the order ZooKeeper's state changed.
        executor = context.getExecutorServiceManager().newSingleThreadExecutor(this, "ZooKeeperConnectionGuard");
        curator.getConnectionStateListenable().addListener(this);
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
        ExecutorService current = executor;
        if (current == null || !isRunAllowed()) {
            return;
        }
        switch (state) {
            case SUSPENDED, LOST -> current.execute(() -> release(state));
            case RECONNECTED -> current.execute(this::rejoin);
            default -> {
            }
        }
    }

    private void release(ConnectionState state) {
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

    private void rejoin() {
        for (String routeId : List.copyOf(released)) {
            if (!isRunAllowed()) {
                return;
            }
            try {
                context.getRouteController().startRoute(routeId);
                released.remove(routeId);
                LOG.info("cluster=zookeeper node={} route={} zookeeper=RECONNECTED outcome=in-line-again", nodeId,
                        routeId);
            } catch (Exception e) {
                LOG.error("cluster=zookeeper node={} route={} outcome=rejoin-failed error={}", nodeId, routeId,
                        e.getMessage());
            }
        }
    }
}
