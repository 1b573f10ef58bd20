package io.collavre.openclaw.bridge.ops;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.junit.jupiter.api.Test;

import io.collavre.openclaw.bridge.websocket.ConnectionStatus;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus.State;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayConnectionsHealthCheckTest {

    static final Instant LAST_FRAME = Instant.parse("2026-01-02T03:04:05Z");

    final GatewayConnectionsHealthCheck check = new GatewayConnectionsHealthCheck();

    HealthCheck.Result report(List<String> accounts, ConnectionStatus... statuses) {
        return reportAccounts(accounts.stream().map(a -> new GatewayConnectionsHealthCheck.Account(a, true, null))
                .toList(), statuses);
    }

    HealthCheck.Result reportAccounts(List<GatewayConnectionsHealthCheck.Account> accounts,
                                      ConnectionStatus... statuses) {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(check);
        GatewayConnectionsHealthCheck.report(builder, accounts, List.of(statuses));
        return builder.build();
    }

    @Test
    void readinessOnlyAndNotLiveness() {
        assertTrue(check.isReadiness());
        assertFalse(check.isLiveness(), "a Gateway outage must not get the bridge restarted");
        assertEquals("gateway-connections", check.getId());
    }

    @Test
    void upWhenEveryAccountIsConnected() {
        HealthCheck.Result result = report(List.of("a", "b"),
                new ConnectionStatus("a", State.CONNECTED, null, LAST_FRAME, 0),
                new ConnectionStatus("b", State.CONNECTED, null, null, 0));

        assertEquals(HealthCheck.State.UP, result.getState());
        Map<String, Object> details = result.getDetails();
        assertEquals("CONNECTED", details.get("account.a.state"));
        assertEquals("2026-01-02T03:04:05Z", details.get("account.a.lastFrameAt"));
        assertEquals(0, details.get("account.a.failedAttempts"));
        assertFalse(details.containsKey("account.b.lastFrameAt"), "no frame yet: no time");
        assertEquals("all 2 Gateway account(s) connected", result.getMessage().orElseThrow());
    }

    @Test
    void downWhenOneAccountIsReconnectingWithItsReason() {
        HealthCheck.Result result = report(List.of("a", "b"),
                new ConnectionStatus("a", State.CONNECTED, null, LAST_FRAME, 0),
                new ConnectionStatus("b", State.RECONNECTING, "closed 1006", LAST_FRAME, 3));

        assertEquals(HealthCheck.State.DOWN, result.getState());
        assertEquals("RECONNECTING", result.getDetails().get("account.b.state"));
        assertEquals("closed 1006", result.getDetails().get("account.b.reason"));
        assertEquals(3, result.getDetails().get("account.b.failedAttempts"));
        assertEquals("Gateway account(s) not connected: b=RECONNECTING (closed 1006)", result.getMessage().orElseThrow());
    }

    @Test
    void downWhenAnAccountFailedOrIsStillConnecting() {
        assertEquals(HealthCheck.State.DOWN, report(List.of("a"),
                new ConnectionStatus("a", State.FAILED, "handshake refused", null, 1)).getState());
        assertEquals(HealthCheck.State.DOWN, report(List.of("a"),
                new ConnectionStatus("a", State.CONNECTING, null, null, 0)).getState());
    }

    @Test
    void downWhenAConfiguredAccountHasNoConnection() {
        HealthCheck.Result result = report(List.of("a", "stopped"),
                new ConnectionStatus("a", State.CONNECTED, null, LAST_FRAME, 0));

        assertEquals(HealthCheck.State.DOWN, result.getState());
        assertEquals("NOT_STARTED", result.getDetails().get("account.stopped.state"));
    }

    @Test
    void downWhenNoAccountIsConfigured() {
        assertEquals(HealthCheck.State.DOWN, report(List.of()).getState());
    }

    @Test
    void withSeveralBridgesOnlyTheOwnedAccountsCountAndAStandbyIsReady() {
        HealthCheck.Result standby = reportAccounts(List.of(
                new GatewayConnectionsHealthCheck.Account("a", false, "bridge-2"),
                new GatewayConnectionsHealthCheck.Account("b", false, null)));
        assertEquals(HealthCheck.State.UP, standby.getState());
        assertEquals("standby", standby.getDetails().get("account.a.role"));
        assertEquals("bridge-2", standby.getDetails().get("account.a.owner"));
        assertFalse(standby.getDetails().containsKey("account.b.owner"), "owner not known yet");

        HealthCheck.Result ownerDown = reportAccounts(List.of(
                new GatewayConnectionsHealthCheck.Account("a", true, "bridge-1"),
                new GatewayConnectionsHealthCheck.Account("b", false, "bridge-2")),
                new ConnectionStatus("a", State.RECONNECTING, "closed 1006", null, 1));
        assertEquals(HealthCheck.State.DOWN, ownerDown.getState());
        assertEquals("owner", ownerDown.getDetails().get("account.a.role"));
        assertEquals("RECONNECTING", ownerDown.getDetails().get("account.a.state"));
        assertEquals("1 owned Gateway account(s) connected, standing by for 1",
                reportAccounts(List.of(new GatewayConnectionsHealthCheck.Account("a", true, "bridge-1"),
                        new GatewayConnectionsHealthCheck.Account("b", false, "bridge-2")),
                        new ConnectionStatus("a", State.CONNECTED, null, null, 0)).getMessage().orElseThrow());
    }
}
