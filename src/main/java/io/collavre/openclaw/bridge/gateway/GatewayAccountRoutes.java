package io.collavre.openclaw.bridge.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.collavre.openclaw.bridge.cluster.GatewayCluster;
import io.collavre.openclaw.bridge.ops.RoutesReload.TemplatedRoute;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.TemplatedRouteDefinition;
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

    private final List<TemplatedRoute> templated = new CopyOnWriteArrayList<>();

    @Override
    public void configure() throws Exception {
        templated.clear();
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
            add(new TemplatedRoute("gateway-connection", account.routeId(), Map.of(
                    "account", account.name(),
                    "ownerId", account.ownerId(),
                    "gatewayUrl", account.gatewayUrl(),
                    "consumerPrefix", cluster.consumerPrefix(account.name()))));
            add(new TemplatedRoute("gateway-handshake", "gateway-handshake-" + account.name(), Map.of(
                    "account", account.name(),
                    "gatewayUrl", account.gatewayUrl(),
                    "token", account.token() == null ? "" : account.token())));
            if (standby > 0) {
                standingBy.add(account.routeId());
                cluster.startLater(account.routeId(), standby);
            }
            cluster.guard(account.routeId());
        }
        excludeFromAutoStartup(standingBy);
    }

    /** The routes created from the templates, as a live reload of a template file creates them again. */
    public List<TemplatedRoute> templatedRoutes() {
        return List.copyOf(templated);
    }

    private void add(TemplatedRoute route) {
        templated.add(route);
        TemplatedRouteDefinition builder = templatedRoute(route.templateId()).routeId(route.routeId());
        route.parameters().forEach((name, value) -> builder.parameter(name, String.valueOf(value)));
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
