package io.collavre.openclaw.bridge.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.FramesProcessed;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.GatewaySimulator.Handshake;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus.State;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketComponent;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gateway connection's life: start-up, restarts, close codes, handshake, keepalive, duplicates, accounts. */
class GatewayConnectionTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Long enough for several reconnect attempts at the test's delays: nothing may happen in it. */
    static final Duration QUIET = Duration.ofMillis(1500);

    GatewaySimulator gateway;
    CollavreReceiver collavre;
    BridgeRunner bridge;
    FramesProcessed frames;
    final List<GatewaySimulator> extraGateways = new java.util.ArrayList<>();

    @AfterEach
    void stopAll() {
        if (bridge != null) {
            bridge.close();
        }
        if (collavre != null) {
            collavre.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        extraGateways.forEach(GatewaySimulator::close);
    }

    BridgeRunner startBridge(Map<String, String> extra) throws Exception {
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        Map<String, String> settings = new HashMap<>(Map.of(
                "openclaw.gateway.url", gateway.url(),
                "openclaw.gateway.token", "gw-secret",
                "openclaw.gateway.owner-id", "42",
                "openclaw.gateway.reconnect-base-delay-ms", "100",
                "openclaw.gateway.reconnect-max-delay-ms", "400",
                "openclaw.gateway.handshake-timeout-ms", "1000",
                "collavre.url", collavre.url()));
        settings.putAll(extra);
        bridge = BridgeRunner.start(settings);
        frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
        return bridge;
    }

    ConnectionStatus status(String account) {
        return bridge.context().getComponent("reconnecting-websocket", ReconnectingWebsocketComponent.class)
                .getConnectionStatuses().stream().filter(s -> s.account().equals(account)).findFirst().orElseThrow();
    }

    void awaitConnected(String account) {
        await().atMost(WAIT).until(() -> status(account).state() == State.CONNECTED);
    }

    /** Sends a run and waits until its dispatch decision is made. */
    void sendRun(GatewaySimulator to, String... frames) {
        NotifyBuilder decided = new NotifyBuilder(bridge.context()).whenDone(1)
                .wereSentTo("direct:collavre-dispatch").create();
        for (String frame : frames) {
            to.send(frame);
        }
        assertTrue(decided.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "dispatch decided");
    }

    @Test
    void startsWhileTheGatewayIsDownAndConnectsWhenItComesUp() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret");
        startBridge(Map.of());
        await().atMost(WAIT).until(() -> status("default").failedAttempts() >= 2);
        assertEquals(State.RECONNECTING, status("default").state());

        gateway.start();
        awaitConnected("default");
        assertEquals(0, status("default").failedAttempts(), "attempts reset after a successful handshake");
        sendRun(gateway, chat("run-late", 1, "final", KEY, "hello after start-up"));
        assertEquals("hello after start-up", collavre.awaitPost(WAIT).json().getString("content"));
    }

    @Test
    void runInFlightCompletesOnTheNewConnectionAfterAGatewayRestart() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of());
        awaitConnected("default");
        gateway.send(chat("run-restart", 1, "delta", KEY, "before the restart, "));
        gateway.send(chat("run-restart", 2, "delta", KEY, "before the restart, and after"));

        gateway.stop();
        gateway.start();
        await().atMost(WAIT).until(() -> gateway.handshakes() == 2);
        sendRun(gateway, chat("run-restart", 3, "final", KEY, null));
        assertEquals("before the restart, and after", collavre.awaitPost(WAIT).json().getString("content"));
        assertEquals(1, collavre.postsFor("run-restart").size());
    }

    @Test
    void normalCloseIsNotFollowedByAReconnect() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of());
        awaitConnected("default");

        gateway.closeAll(1000, "bye");
        await().atMost(WAIT).until(() -> status("default").state() == State.CLOSED);
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> gateway.openConnections() == 0);
        assertEquals(1, gateway.handshakes());
    }

    @ParameterizedTest
    @ValueSource(ints = {1001, 1006, 1011, 1002, 3000})
    void transientClosesAreFollowedByAReconnect(int code) throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of());
        awaitConnected("default");

        gateway.closeAll(code, "transient");
        await().atMost(WAIT).until(() -> gateway.handshakes() == 2);
        awaitConnected("default");
    }

    @ParameterizedTest
    @ValueSource(ints = {1008, 4001, 4003, 4500})
    void fatalClosesMarkTheAccountFailedAndAreNotRetried(int code) throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of());
        awaitConnected("default");

        gateway.closeAll(code, "unauthorized");
        await().atMost(WAIT).until(() -> status("default").state() == State.FAILED);
        assertTrue(status("default").reason().contains("code=" + code), status("default").reason());
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> gateway.openConnections() == 0);
        assertEquals(1, gateway.handshakes());

        // An operator who fixed the cause restarts the route; it connects again.
        bridge.context().getRouteController().stopRoute("gateway-connection-default");
        bridge.context().getRouteController().startRoute("gateway-connection-default");
        awaitConnected("default");
    }

    @Test
    void refusedHandshakeIsAFailedAttemptRetriedWithBackoff() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateway.setHandshake(Handshake.REFUSE);
        startBridge(Map.of());
        await().atMost(WAIT).until(() -> status("default").failedAttempts() >= 3);
        assertTrue(gateway.connectRequests() >= 3);
        assertEquals(State.RECONNECTING, status("default").state());
        assertTrue(status("default").reason().contains("handshake refused"), status("default").reason());

        gateway.setHandshake(Handshake.ACCEPT);
        awaitConnected("default");
        assertEquals(0, status("default").failedAttempts());
    }

    @Test
    void unansweredHandshakeTimesOutAndIsRetried() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateway.setHandshake(Handshake.IGNORE);
        startBridge(Map.of("openclaw.gateway.handshake-timeout-ms", "300"));
        await().atMost(WAIT).until(() -> gateway.connectRequests() >= 2);
        assertTrue(status("default").reason().contains("handshake not completed"), status("default").reason());
    }

    @Test
    void silentGatewayIsDetectedAfterTwiceTheTickInterval() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateway.setTickIntervalMs(200);
        startBridge(Map.of());
        awaitConnected("default");

        // No ticks: silent for more than 2 x 200 ms, so the bridge drops the connection and connects again.
        await().atMost(WAIT).until(() -> gateway.handshakes() >= 2);
    }

    @Test
    void tickingGatewayKeepsItsConnection() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateway.setTickIntervalMs(200);
        gateway.startTicks(100);
        startBridge(Map.of());
        awaitConnected("default");
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> gateway.handshakes() == 1);
    }

    @Test
    void duplicatedFramesDoNotDoubleTextOrDispatch() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of());
        awaitConnected("default");
        String[] frames = {
                chat("run-twice", 1, "delta", KEY, "Incre"),
                chat("run-twice", 2, "delta", KEY, "mental "),
                chat("run-twice", 3, "delta", KEY, "text"),
                chat("run-twice", 3, "final", KEY, null)};
        NotifyBuilder decided = new NotifyBuilder(bridge.context()).whenDone(1)
                .wereSentTo("direct:collavre-dispatch").create();
        for (String frame : frames) {
            gateway.send(frame);
            gateway.send(frame);
        }
        assertTrue(decided.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("Incremental text", collavre.awaitPost(WAIT).json().getString("content"));
        // A late copy of the final is dropped as well.
        this.frames.reset();
        gateway.send(frames[3]);
        this.frames.await(1, WAIT);
        assertEquals(1, collavre.postsFor("run-twice").size());
    }

    @Test
    void threeAccountsOnThreeGatewaysWithOneFailing(@TempDir Path dir) throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "token-a").start();
        GatewaySimulator b = new GatewaySimulator(GatewaySimulator.freePort(), "token-b").start();
        GatewaySimulator c = new GatewaySimulator(GatewaySimulator.freePort(), "token-c").start();
        extraGateways.addAll(List.of(b, c));
        c.closeOnAuthFailure(4001);
        Path accounts = dir.resolve("accounts.properties");
        Files.writeString(accounts, String.join("\n",
                "alice.owner-id = 42", "alice.gateway-url = " + gateway.url(), "alice.token = token-a",
                "bob.owner-id = 43", "bob.gateway-url = " + b.url(), "bob.token = token-b",
                "carol.owner-id = 44", "carol.gateway-url = " + c.url(), "carol.token = revoked"));
        startBridge(Map.of("openclaw.gateway.owner-id", "", "openclaw.accounts-file", accounts.toString()));

        awaitConnected("alice");
        awaitConnected("bob");
        await().atMost(WAIT).until(() -> status("carol").state() == State.FAILED);

        sendRun(gateway, chat("run-alice", 1, "final", "agent:a:collavre:42:creative:1", "for alice"));
        sendRun(b, chat("run-bob", 1, "final", "agent:b:collavre:43:creative:2", "for bob"));
        assertEquals(42, collavre.postsFor("run-alice").get(0).json().getInteger("user_id"));
        assertEquals(43, collavre.postsFor("run-bob").get(0).json().getInteger("user_id"));
        assertEquals(State.CONNECTED, status("alice").state());
        assertEquals(State.CONNECTED, status("bob").state());
    }

    @Test
    void chatEventWhoseSessionKeyNamesAnotherUserIsDropped() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of());
        awaitConnected("default");
        sendRun(gateway, chat("run-foreign", 1, "final", "agent:x:collavre:7:creative:100", "not yours"),
                chat("run-own", 1, "final", KEY, "yours"));
        assertEquals(List.of("run-own"), collavre.posts().stream().map(p -> p.json().getString("run_id")).toList());
    }

    @Test
    void httpUrlIsUsedAsWebsocketUrl() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        startBridge(Map.of("openclaw.gateway.url", "http://127.0.0.1:" + gateway.port()));
        awaitConnected("default");
    }

    @Test
    void wssWithATrustedCaFile(@TempDir Path dir) throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret");
        String ca = gateway.useTls(dir);
        gateway.start();
        startBridge(Map.of("openclaw.gateway.url", "https://localhost:" + gateway.port(),
                "openclaw.gateway.trust-ca-file", ca));
        awaitConnected("default");
        sendRun(gateway, chat("run-tls", 1, "final", KEY, "over TLS"));
        assertEquals("over TLS", collavre.awaitPost(WAIT).json().getString("content"));
    }

    @Test
    void wssWithAnUntrustedCertificateIsRefusedAndRetried(@TempDir Path dir) throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret");
        gateway.useTls(dir);
        gateway.start();
        startBridge(Map.of("openclaw.gateway.url", gateway.url()));
        await().atMost(WAIT).until(() -> status("default").failedAttempts() >= 2);
        assertEquals(0, gateway.handshakes());
    }
}
