package io.collavre.openclaw.bridge.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.collavre.openclaw.bridge.cluster.GatewayCluster;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates one {@code gateway-connection} route (the YAML route template) per configured Gateway account. The
 * YAML DSL cannot loop over a file, so this is the one piece of wiring done in Java.
 */
public class GatewayAccountRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAccountRoutes.class);

    @Override
    public void configure() throws Exception {
        GatewayAccount single = new GatewayAccount(
                property("openclaw.gateway.account", "default"),
                property("openclaw.gateway.owner-id", ""),
                property("openclaw.gateway.url", ""),
                property("openclaw.gateway.token", ""));
        String file = property("openclaw.accounts-file", "");
        List<GatewayAccount> accounts = GatewayAccounts.load(single, file.isBlank() ? null : Path.of(file));
        if (accounts.isEmpty()) {
            throw new IllegalStateException("No Gateway account configured: set openclaw.gateway.owner-id"
                                            + " (OPENCLAW_GATEWAY_OWNER_ID) or list accounts in openclaw.accounts-file"
                                            + " (OPENCLAW_ACCOUNTS_FILE)");
        }
        GatewayCluster cluster = GatewayCluster.install(getContext());
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
                    .parameter("token", account.token() == null ? "" : account.token())
                    .parameter("consumerPrefix", cluster.consumerPrefix(account.name()));
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

    private String property(String key, String defaultValue) {
        return getContext().getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }
}
