package io.collavre.openclaw.bridge.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.collavre.openclaw.bridge.cluster.GatewayCluster;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@code gateway-connection} and {@code gateway-handshake} routes (YAML route templates) of each
 * configured Gateway account. The YAML DSL cannot loop over a file, so this is the one piece of wiring done in Java.
 */
public class GatewayAccountRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAccountRoutes.class);

    // The settings, injected by Camel Main from application.properties (where their defaults and comments are).
    @PropertyInject("openclaw.gateway.account")
    String account;
    @PropertyInject("openclaw.gateway.owner-id")
    String ownerId;
    @PropertyInject("openclaw.gateway.url")
    String gatewayUrl;
    @PropertyInject("openclaw.gateway.token")
    String token;
    @PropertyInject("openclaw.accounts-file")
    String accountsFile;
    @PropertyInject("bridge.cluster.enabled")
    boolean clusterEnabled;
    @PropertyInject("bridge.cluster.zookeeper-url")
    String zookeeperUrl;
    @PropertyInject("bridge.cluster.session-timeout-ms")
    int sessionTimeoutMs;
    @PropertyInject("bridge.cluster.connect-timeout-ms")
    int connectTimeoutMs;
    @PropertyInject("bridge.cluster.base-path")
    String basePath;
    @PropertyInject("bridge.cluster.node-id")
    String nodeId;
    @PropertyInject("bridge.cluster.members")
    String members;
    @PropertyInject("bridge.cluster.standby-delay-ms")
    long standbyDelayMs;

    @Override
    public void configure() throws Exception {
        GatewayAccount single = new GatewayAccount(account.trim(), ownerId.trim(), gatewayUrl.trim(), token);
        String file = accountsFile.trim();
        List<GatewayAccount> accounts = GatewayAccounts.load(single, file.isEmpty() ? null : Path.of(file));
        if (accounts.isEmpty()) {
            throw new IllegalStateException("No Gateway account configured: set openclaw.gateway.owner-id"
                                            + " (OPENCLAW_GATEWAY_OWNER_ID) or list accounts in openclaw.accounts-file"
                                            + " (OPENCLAW_ACCOUNTS_FILE)");
        }
        GatewayCluster cluster = GatewayCluster.install(getContext(), new GatewayCluster.Settings(clusterEnabled,
                zookeeperUrl, sessionTimeoutMs, connectTimeoutMs, basePath, nodeId, members, standbyDelayMs));
        List<String> standingBy = new ArrayList<>();
        for (GatewayAccount account : accounts) {
            LOG.info("account={} owner={} gateway={} outcome=configured", account.name(), account.ownerId(),
                    account.gatewayUrl());
            long standby = cluster.standbyDelayMs(account.name());
            templatedRoute("gateway-connection")
                    .routeId(account.routeId())
                    .parameter("account", account.name())
                    .parameter("ownerId", account.ownerId())
                    .parameter("gatewayUrl", account.gatewayUrl())
                    .parameter("consumerPrefix", cluster.consumerPrefix(account.name()));
            templatedRoute("gateway-handshake")
                    .routeId("gateway-handshake-" + account.name())
                    .parameter("account", account.name())
                    .parameter("gatewayUrl", account.gatewayUrl())
                    .parameter("token", account.token() == null ? "" : account.token());
            if (standby > 0) {
                standingBy.add(account.routeId());
                cluster.startLater(account.routeId(), standby);
            }
            cluster.guard(account.routeId());
        }
        excludeFromAutoStartup(standingBy);
    }

    /**
     * The routes of the accounts this bridge stands for only after a delay (it is not their preferred owner) do not
     * start with the context. Said here, not in the template: Camel's YAML DSL schema takes only a plain boolean as
     * a route's autoStartup.
     */
    private void excludeFromAutoStartup(List<String> routeIds) {
        if (routeIds.isEmpty()) {
            return;
        }
        String existing = getContext().getAutoStartupExcludePattern();
        String routes = String.join(",", routeIds);
        getContext().setAutoStartupExcludePattern(existing == null || existing.isBlank() ? routes : existing + "," + routes);
    }
}
