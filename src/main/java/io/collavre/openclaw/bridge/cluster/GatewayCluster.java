package io.collavre.openclaw.bridge.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.UnaryOperator;

import org.apache.camel.CamelContext;
import org.apache.camel.component.master.MasterComponent;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several bridges side by side, each Gateway account connected by exactly one of them.
 *
 * <p>With {@code bridge.cluster.enabled}, every account's connection route consumes through
 * {@code master:gateway-<account>:reconnecting-websocket:...} (camel-master): only the bridge that ZooKeeper elected
 * leader of the namespace {@code gateway-<account>} opens the connection; the others wait in line. A bridge that
 * stops hands its accounts over at once; one that dies loses them when its ZooKeeper session expires, after at most
 * {@code bridge.cluster.session-timeout-ms}, and the next in line connects. Without it (the default) there is no
 * cluster service and every account is connected by this bridge, as before.
 */
public final class GatewayCluster {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCluster.class);

    private GatewayCluster() {
    }

    /** The leader election namespace of an account. */
    public static String namespace(String account) {
        return "gateway-" + account;
    }

    /**
     * Sets the ZooKeeper cluster service up when {@code bridge.cluster.enabled} is true.
     *
     * @return for an account name, the prefix of its consumer URI: {@code master:gateway-<account>:} when clustered,
     *         empty otherwise
     */
    public static UnaryOperator<String> install(CamelContext context) throws Exception {
        if (!Boolean.parseBoolean(property(context, "bridge.cluster.enabled", "false"))) {
            return account -> "";
        }
        String nodes = property(context, "bridge.cluster.zookeeper-url", "");
        if (nodes.isBlank()) {
            throw new IllegalStateException("bridge.cluster.enabled is true but bridge.cluster.zookeeper-url"
                                            + " (BRIDGE_CLUSTER_ZOOKEEPER_URL) is empty");
        }
        String nodeId = property(context, "bridge.cluster.node-id", "");
        if (nodeId.isBlank()) {
            nodeId = defaultNodeId();
        }
        ZooKeeperClusterService service = new ZooKeeperClusterService();
        service.setId(nodeId);
        service.setNodes(nodes);
        service.setBasePath(property(context, "bridge.cluster.base-path", "/openclaw-bridge"));
        service.setSessionTimeout(Long.parseLong(property(context, "bridge.cluster.session-timeout-ms", "10000")));
        service.setConnectTimeout(Long.parseLong(property(context, "bridge.cluster.connect-timeout-ms", "5000")));
        // Curator keeps reconnecting on its own; this is how often a single ZooKeeper operation is retried.
        service.setReconnectBaseSleepTime(500);
        service.setReconnectMaxSleepTime(5000);
        context.addService(service);
        MasterComponent master = context.getComponent("master", MasterComponent.class);
        master.setService(service);
        // Start an elected consumer without the component's default 5 s between failed attempts.
        master.setBackOffDelay(1000);
        LOG.info("cluster=zookeeper node={} zookeeper={} basePath={} sessionTimeoutMs={} outcome=enabled", nodeId,
                nodes, service.getBasePath(), service.getSessionTimeout());
        return account -> "master:" + namespace(account) + ":";
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

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).orElse(defaultValue);
    }
}
