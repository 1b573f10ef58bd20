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
import org.apache.camel.component.master.MasterConsumer;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import io.collavre.openclaw.bridge.websocket.ConnectionStatus;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketComponent;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketEndpoint;

/**
 * Readiness of the Gateway connections: up only when every configured Gateway account is connected (handshake
 * done). The configured accounts are those of the routes consuming from {@code reconnecting-websocket}, so an
 * account whose route is stopped counts as not connected. Per account the details carry
 * {@code account.<name>.state}, {@code .reason}, {@code .lastFrameAt} and {@code .failedAttempts}.
 *
 * <p>In cluster mode (routes consuming from {@code master:gateway-<account>:reconnecting-websocket:...}) a bridge
 * only answers for the accounts it currently owns (its master consumer was elected): it is ready when every owned
 * account is connected, and a standby that owns nothing is ready. Per account {@code account.<name>.role} says
 * {@code owner} or {@code standby}, and {@code account.<name>.owner} names the owning node when ZooKeeper tells.
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
        List<Account> accounts = new ArrayList<>();
        if (context != null) {
            for (Route route : context.getRoutes()) {
                if (route.getEndpoint() instanceof ReconnectingWebsocketEndpoint endpoint) {
                    accounts.add(new Account(endpoint.getAccount(), true, null));
                } else if (route.getEndpoint() instanceof MasterEndpoint master
                           && master.getEndpoint() instanceof ReconnectingWebsocketEndpoint endpoint) {
                    boolean owned = route.getConsumer() instanceof MasterConsumer consumer && consumer.isMaster();
                    accounts.add(new Account(endpoint.getAccount(), owned,
                            owned ? null : leader(context, master.getNamespace())));
                }
            }
        }
        reportAccounts(builder, accounts, component == null ? List.of() : component.getConnectionStatuses());
    }

    /** An account this bridge connects ({@code owned}) or stands by for, and the owning node when known. */
    record Account(String name, boolean owned, String ownerNode) {
    }

    /** The node ZooKeeper elected for a namespace, or null when unknown (no view yet, ZooKeeper out of reach). */
    private static String leader(CamelContext context, String namespace) {
        CamelClusterService service = context.hasService(CamelClusterService.class);
        if (service == null || !service.getNamespaces().contains(namespace)) {
            return null;
        }
        try {
            CamelClusterView view = service.getView(namespace);
            try {
                return view.getLeader().map(CamelClusterMember::getId).orElse(null);
            } finally {
                service.releaseView(view);
            }
        } catch (Exception e) {
            return null;
        }
    }

    /** Fills {@code builder} from the configured accounts, all owned, and the connection statuses. */
    static void report(HealthCheckResultBuilder builder, Collection<String> accounts,
                       Collection<ConnectionStatus> statuses) {
        reportAccounts(builder, accounts.stream().map(a -> new Account(a, true, null)).toList(), statuses);
    }

    /** Fills {@code builder}: up when every owned account is connected; accounts stood by for do not count. */
    static void reportAccounts(HealthCheckResultBuilder builder, Collection<Account> accounts,
                               Collection<ConnectionStatus> statuses) {
        Map<String, ConnectionStatus> byAccount = statuses.stream()
                .collect(Collectors.toMap(ConnectionStatus::account, Function.identity(), (a, b) -> a));
        if (accounts.isEmpty()) {
            builder.message("no Gateway account configured").down();
            return;
        }
        Map<String, Account> configured = new TreeMap<>();
        accounts.forEach(a -> configured.merge(a.name(), a, (x, y) -> x.owned() ? x : y));
        int owned = 0;
        List<String> notConnected = new ArrayList<>();
        for (Account entry : configured.values()) {
            String account = entry.name();
            String prefix = "account." + account + ".";
            if (!entry.owned()) {
                builder.detail(prefix + "role", "standby");
                if (entry.ownerNode() != null) {
                    builder.detail(prefix + "owner", entry.ownerNode());
                }
                continue;
            }
            owned++;
            builder.detail(prefix + "role", "owner");
            ConnectionStatus status = byAccount.get(account);
            if (status == null) {
                builder.detail(prefix + "state", "NOT_STARTED");
                notConnected.add(account + "=NOT_STARTED");
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
                notConnected.add(account + "=" + status.state()
                                 + (status.reason() == null ? "" : " (" + status.reason() + ")"));
            }
        }
        int standby = configured.size() - owned;
        String standing = standby == 0 ? "" : ", standing by for " + standby;
        if (!notConnected.isEmpty()) {
            builder.message("Gateway account(s) not connected: " + String.join(", ", notConnected) + standing).down();
        } else if (owned == 0) {
            builder.message("standing by for " + standby + " Gateway account(s), owning none").up();
        } else {
            builder.message("all " + owned + " Gateway account(s) connected"
                            + standing).up();
        }
    }
}
