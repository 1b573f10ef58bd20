package io.collavre.openclaw.bridge.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import io.collavre.openclaw.bridge.websocket.ConnectionStatus;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketComponent;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketEndpoint;

/**
 * Readiness of the Gateway connections: up only when every Gateway account this bridge owns is connected (handshake
 * done). The configured accounts are those of the routes consuming from {@code reconnecting-websocket}, directly or
 * through {@code master:} with several bridges; an account whose route is stopped counts as not connected, and with
 * several bridges only the accounts ZooKeeper elected this bridge for are its own (a bridge standing by for all is
 * ready). Per account the details carry {@code account.<name>.role} (owner or standby), {@code .owner} (the owning
 * node, when known), {@code .state}, {@code .reason}, {@code .lastFrameAt} and {@code .failedAttempts}.
 *
 * <p>Readiness only: a Gateway outage must take the bridge out of service, not get it restarted (the
 * connection reconnects by itself). Liveness is Camel's context check.
 */
public class GatewayConnectionsHealthCheck extends AbstractHealthCheck {

    public static final String ID = "gateway-connections";

    public GatewayConnectionsHealthCheck() {
        super("openclaw", ID);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CamelContext context = getCamelContext();
        ReconnectingWebsocketComponent component = context == null ? null
                : context.hasComponent("reconnecting-websocket") instanceof ReconnectingWebsocketComponent c ? c : null;
        CamelClusterService cluster = context == null ? null : context.hasService(CamelClusterService.class);
        List<Account> accounts = new ArrayList<>();
        if (context != null) {
            for (Route route : context.getRoutes()) {
                if (route.getEndpoint() instanceof ReconnectingWebsocketEndpoint endpoint) {
                    accounts.add(new Account(endpoint.getAccount(), true, null));
                } else if (route.getEndpoint() instanceof MasterEndpoint master
                           && master.getEndpoint() instanceof ReconnectingWebsocketEndpoint endpoint) {
                    accounts.add(clustered(context, cluster, route, master, endpoint.getAccount()));
                }
            }
        }
        report(builder, accounts, component == null ? List.of() : component.getConnectionStatuses());
    }

    /**
     * An account of several bridges: this one owns it when ZooKeeper elected it for the account's namespace, else it
     * stands by. The owner's node id is known once this bridge takes part in the election (its route started).
     */
    private static Account clustered(CamelContext context, CamelClusterService cluster, Route route,
                                     MasterEndpoint master, String account) {
        if (cluster == null) {
            return new Account(account, false, null);
        }
        boolean owned = cluster.isLeader(master.getNamespace());
        String owner = null;
        if (context.getRouteController().getRouteStatus(route.getRouteId()).isStarted()) {
            try {
                // The route's consumer holds the view already: this only reads it, it joins no election.
                CamelClusterView view = cluster.getView(master.getNamespace());
                try {
                    owner = view.getLeader().map(CamelClusterMember::getId).orElse(null);
                } finally {
                    cluster.releaseView(view);
                }
            } catch (Exception e) {
                owner = null;
            }
        }
        return new Account(account, owned, owner);
    }

    /**
     * A configured account: whether this bridge owns its connection (always, without a cluster) and the node that
     * owns it when known.
     */
    record Account(String name, boolean owned, String owner) {
    }

    /**
     * Fills {@code builder} from the configured accounts and the connection statuses the component holds: ready when
     * every account this bridge owns is connected (a bridge that stands by for every account is ready too).
     */
    static void report(HealthCheckResultBuilder builder, Collection<Account> accounts,
                       Collection<ConnectionStatus> statuses) {
        Map<String, ConnectionStatus> byAccount = statuses.stream()
                .collect(Collectors.toMap(ConnectionStatus::account, Function.identity(), (a, b) -> a));
        if (accounts.isEmpty()) {
            builder.message("no Gateway account configured").down();
            return;
        }
        TreeMap<String, Account> configured = new TreeMap<>();
        accounts.forEach(account -> configured.put(account.name(), account));
        List<String> notConnected = new ArrayList<>();
        int owned = 0;
        for (Account account : configured.values()) {
            String prefix = "account." + account.name() + ".";
            builder.detail(prefix + "role", account.owned() ? "owner" : "standby");
            if (account.owner() != null) {
                builder.detail(prefix + "owner", account.owner());
            }
            if (!account.owned()) {
                continue;
            }
            owned++;
            ConnectionStatus status = byAccount.get(account.name());
            if (status == null) {
                builder.detail(prefix + "state", "NOT_STARTED");
                notConnected.add(account.name() + "=NOT_STARTED");
                continue;
            }
            builder.detail(prefix + "state", status.state().name());
            builder.detail(prefix + "failedAttempts", status.failedAttempts());
            if (status.lastFrameAt() != null) {
                builder.detail(prefix + "lastFrameAt", status.lastFrameAt().toString());
            }
            if (status.reason() != null) {
                builder.detail(prefix + "reason", status.reason());
            }
            if (status.state() != ConnectionStatus.State.CONNECTED) {
                notConnected.add(account.name() + "=" + status.state()
                                 + (status.reason() == null ? "" : " (" + status.reason() + ")"));
            }
        }
        if (!notConnected.isEmpty()) {
            builder.message("Gateway account(s) not connected: " + String.join(", ", notConnected)).down();
        } else if (owned == configured.size()) {
            builder.message("all " + owned + " Gateway account(s) connected").up();
        } else {
            builder.message(owned + " owned Gateway account(s) connected, standing by for "
                            + (configured.size() - owned)).up();
        }
    }
}
