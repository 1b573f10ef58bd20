package io.collavre.openclaw.bridge.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.CamelContext;
import org.apache.camel.component.master.MasterComponent;
import org.apache.camel.component.zookeeper.ZooKeeperCuratorConfiguration;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several bridges side by side, each Gateway account connected by exactly one of them.
 *
 * <p>With {@code bridge.cluster.enabled}, every account's connection route consumes through
 * {@code master:gateway-<account>:reconnecting-websocket:...} (camel-master over camel-zookeeper's cluster service):
 * only the bridge that ZooKeeper elected leader of the namespace {@code gateway-<account>} opens the connection; the
 * others wait in line. A bridge that stops hands its accounts over at once; one that dies loses them when its
 * ZooKeeper session expires, after at most {@code bridge.cluster.session-timeout-ms}, and the next in line connects;
 * one that loses ZooKeeper keeps its connections while its session may still be alive and lets them go before it
 * can expire ({@link ZooKeeperConnectionGuard}). Without it (the
 * default) there is no cluster service and this bridge connects every account, as before.
 */
public final class GatewayCluster {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCluster.class);
    private static final GatewayCluster NONE = new GatewayCluster(null, null, "", List.of(), 0);
    /** camel-master's delay between start attempts, with a single attempt: longer than any bridge runs. */
    private static final long START_TASK_NEVER_RUNS_AGAIN_MS = TimeUnit.DAYS.toMillis(100 * 365);

    private final CamelContext context;
    private final ZooKeeperConnectionGuard guard;
    private final String nodeId;
    private final List<String> members;
    private final long standbyDelayMs;

    private GatewayCluster(CamelContext context, ZooKeeperConnectionGuard guard, String nodeId, List<String> members,
                           long standbyDelayMs) {
        this.context = context;
        this.guard = guard;
        this.nodeId = nodeId;
        this.members = members;
        this.standbyDelayMs = standbyDelayMs;
    }

    /** The leader election namespace of an account. */
    public static String namespace(String account) {
        return "gateway-" + account;
    }

    /** The {@code bridge.cluster.*} settings, as application.properties and the environment give them. */
    public record Settings(boolean enabled, String zookeeperUrl, int sessionTimeoutMs, int connectTimeoutMs,
                           String basePath, String nodeId, String members, long standbyDelayMs) {
    }

    /** Sets the ZooKeeper cluster service up when {@code bridge.cluster.enabled} is true. */
    public static GatewayCluster install(CamelContext context, Settings settings) throws Exception {
        if (!settings.enabled()) {
            return NONE;
        }
        String nodes = settings.zookeeperUrl().trim();
        if (nodes.isBlank()) {
            throw new IllegalStateException("bridge.cluster.enabled is true but bridge.cluster.zookeeper-url"
                                            + " (BRIDGE_CLUSTER_ZOOKEEPER_URL) is empty");
        }
        String nodeId = nodeId(settings.nodeId());
        int sessionTimeout = settings.sessionTimeoutMs();
        // The bridge's own Curator client, so that the guard hears of its connection's state; Curator keeps
        // reconnecting on its own, the retry policy is for single operations.
        CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(nodes)
                .sessionTimeoutMs(sessionTimeout)
                // Never longer than the session: Curator warns of (and ZooKeeper cannot honour) a connect timeout
                // past the session timeout, a combination the settings allow.
                .connectionTimeoutMs(Math.min(settings.connectTimeoutMs(), sessionTimeout))
                .retryPolicy(new ExponentialBackoffRetry(500, 3, 5000))
                // Only a lost session ends a leadership: with the default policy a suspended connection does, and
                // every ZooKeeper blip would close every Gateway connection. The guard lets the connections go
                // once the session may have expired on the server, which can be before Curator reports it lost.
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                .build();
        curator.start();
        ZooKeeperConnectionGuard guard = new ZooKeeperConnectionGuard(context, curator, nodeId, sessionTimeout);
        // Services stop in the reverse order: the cluster service before the guard closes the client.
        context.addService(guard);

        ZooKeeperCuratorConfiguration configuration = new ZooKeeperCuratorConfiguration();
        configuration.setCuratorFramework(curator);
        configuration.setNodes(nodes);
        configuration.setBasePath(settings.basePath().trim());
        ZooKeeperClusterService service = new ZooKeeperClusterService(configuration);
        service.setId(nodeId);
        context.addService(service);
        MasterComponent master = context.getComponent("master", MasterComponent.class);
        master.setService(service);
        // Once elected, start the connection after 1 s; the consumer's start does not fail for a Gateway that is
        // down (it reconnects on its own), so one attempt is enough.
        master.setBackOffMaxAttempts(1);
        // A real fix, not a hidden log line: camel-master 4.17's start task reports "not done" even after it
        // started the consumer, so it runs again after the back-off delay (5 s by default), finds its one attempt
        // spent and warns "The task Leadership does not have more budget to continue running" after every
        // takeover. With one attempt the delay has no other use; pushed out of reach, the task never comes back
        // (it is cancelled when the route stops). Leadership itself was never affected.
        master.setBackOffDelay(START_TASK_NEVER_RUNS_AGAIN_MS);
        List<String> members = Arrays.stream(settings.members().split(","))
                .map(String::trim).filter(m -> !m.isEmpty()).distinct().toList();
        LOG.info("cluster=zookeeper node={} zookeeper={} basePath={} sessionTimeoutMs={} members={} outcome=enabled",
                nodeId, nodes, configuration.getBasePath(), sessionTimeout, members);
        return new GatewayCluster(context, guard, nodeId, members, settings.standbyDelayMs());
    }

    /**
     * How long this bridge waits before it stands for an account's election: at once for the accounts it is the
     * preferred owner of among {@code bridge.cluster.members} (or for all, when no members are listed), after
     * {@code bridge.cluster.standby-delay-ms} for the others, so that accounts spread over the bridges that are up
     * and any of them still takes an account over when its preferred owner is not.
     */
    public long standbyDelayMs(String account) {
        if (guard == null || members.isEmpty() || nodeId.equals(PreferredOwners.of(account, members))) {
            return 0;
        }
        return standbyDelayMs;
    }

    /**
     * Starts a route that was created stopped once the bridge is up and the delay has passed, once: Camel calls
     * startup listeners again at every later route start ({@code alreadyStarted}), which would otherwise arm a new
     * timer each time, and a route the guard released (ZooKeeper out of reach) is the guard's to start again.
     */
    public void startLater(String routeId, long delayMs) throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        context.addStartupListener((started, alreadyStarted) -> {
            if (!armed.compareAndSet(false, true)) {
                return;
            }
            ScheduledExecutorService timer = started.getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "cluster-standby-" + routeId);
            timer.schedule(() -> {
                try {
                    if (guard != null && guard.isReleased(routeId)) {
                        LOG.info("cluster=zookeeper node={} route={} outcome=standby-left-to-guard", nodeId, routeId);
                    } else if (started.getStatus().isStarted()
                               && started.getRouteController().getRouteStatus(routeId).isStopped()) {
                        LOG.info("cluster=zookeeper node={} route={} outcome=standing-for-election", nodeId, routeId);
                        started.getRouteController().startRoute(routeId);
                    }
                } catch (Exception e) {
                    LOG.error("cluster=zookeeper node={} route={} outcome=start-failed error={}", nodeId, routeId,
                            e.getMessage());
                } finally {
                    started.getExecutorServiceManager().shutdown(timer);
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        });
    }

    /** What goes before an account's consumer URI: {@code master:gateway-<account>:} when clustered, else nothing. */
    public String consumerPrefix(String account) {
        return guard == null ? "" : "master:" + namespace(account) + ":";
    }

    /** Lets the route of an account's connection go while ZooKeeper is out of reach (nothing when not clustered). */
    public void guard(String routeId) {
        if (guard != null) {
            guard.guard(routeId);
        }
    }

    /** This bridge's name: {@code bridge.cluster.node-id} as configured, or host name and process id when empty. */
    public static String nodeId(String configured) {
        return configured == null || configured.isBlank() ? defaultNodeId() : configured.trim();
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "bridge";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
