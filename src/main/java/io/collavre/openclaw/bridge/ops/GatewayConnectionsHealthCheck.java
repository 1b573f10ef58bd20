package io.collavre.openclaw.bridge.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
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
        List<String> accounts = new ArrayList<>();
        if (context != null) {
            for (Route route : context.getRoutes()) {
                if (route.getEndpoint() instanceof ReconnectingWebsocketEndpoint endpoint) {
                    accounts.add(endpoint.getAccount());
                }
            }
        }
        report(builder, accounts, component == null ? List.of() : component.getConnectionStatuses());
    }

    /** Fills {@code builder} from the configured accounts and the connection statuses the component holds. */
    static void report(HealthCheckResultBuilder builder, Collection<String> accounts,
                       Collection<ConnectionStatus> statuses) {
        Map<String, ConnectionStatus> byAccount = statuses.stream()
                .collect(Collectors.toMap(ConnectionStatus::account, Function.identity(), (a, b) -> a));
        if (accounts.isEmpty()) {
            builder.message("no Gateway account configured").down();
            return;
        }
        TreeSet<String> configured = new TreeSet<>(accounts);
        List<String> notConnected = new ArrayList<>();
        for (String account : configured) {
            ConnectionStatus status = byAccount.get(account);
            String prefix = "account." + account + ".";
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
        if (notConnected.isEmpty()) {
            builder.message("all " + configured.size() + " Gateway account(s) connected").up();
        } else {
            builder.message("Gateway account(s) not connected: " + String.join(", ", notConnected)).down();
        }
    }
}
