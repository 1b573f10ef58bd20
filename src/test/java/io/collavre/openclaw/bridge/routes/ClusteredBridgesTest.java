package io.collavre.openclaw.bridge.routes;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.BridgeMain;
import io.collavre.openclaw.bridge.cluster.GatewayCluster;
import io.collavre.openclaw.bridge.cluster.PreferredOwners;
import io.collavre.openclaw.bridge.ops.GatewayConnectionsHealthCheck;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import io.collavre.openclaw.bridge.testing.TcpProxy;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus.State;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketComponent;
import io.vertx.core.json.JsonObject;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several bridges against one real ZooKeeper server (Curator's TestingServer) and the same Gateways: each account
 * is connected by exactly one bridge, and when its owner stops or dies another one takes it over in bounded time.
 */
class ClusteredBridgesTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    /** Long enough for a second connection to show up if one were opened. */
    static final Duration QUIET = Duration.ofSeconds(3);
    static final long SESSION_TIMEOUT_MS = 2000;
    /** Session expiry, the master consumer's 1 s start delay, connect and handshake, with room for a busy machine. */
    static final Duration TAKEOVER_BOUND = Duration.ofMillis(SESSION_TIMEOUT_MS).plusSeconds(8);
    static final String[] ACCOUNTS = {"alice", "bob", "carol"};
    static final List<String> MEMBERS = List.of("bridge-1", "bridge-2", "bridge-3");

    @TempDir
    Path dir;
    TestingServer zookeeper;
    CollavreReceiver collavre;
    final Map<String, GatewaySimulator> gateways = new LinkedHashMap<>();
    final Map<String, BridgeRunner> bridges = new LinkedHashMap<>();
    Process external;

    @BeforeEach
    void startServers() throws Exception {
        // Ticks of 500 ms let the server grant the short session timeout the test uses (2 to 20 ticks).
        zookeeper = new TestingServer(new InstanceSpec(dir.resolve("zookeeper").toFile(), -1, -1, -1, true, -1, 500, -1),
                true);
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
    }

    @AfterEach
    void stopAll() throws Exception {
        if (external != null) {
            external.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        bridges.values().forEach(BridgeRunner::close);
        gateways.values().forEach(GatewaySimulator::close);
        collavre.close();
        zookeeper.close();
    }

    Map<String, String> settings(String nodeId) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bridge.cluster.enabled", "true",
                "bridge.cluster.zookeeper-url", zookeeper.getConnectString(),
                "bridge.cluster.session-timeout-ms", String.valueOf(SESSION_TIMEOUT_MS),
                "bridge.cluster.node-id", nodeId,
                "openclaw.gateway.reconnect-base-delay-ms", "100",
                "openclaw.gateway.reconnect-max-delay-ms", "400",
                "collavre.url", collavre.url()));
        return settings;
    }

    Map<String, String> accountsFileSettings(String nodeId) throws Exception {
        Path file = dir.resolve("accounts.properties");
        if (!Files.exists(file)) {
            List<String> lines = new ArrayList<>();
            int owner = 42;
            for (String account : ACCOUNTS) {
                GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "token-" + account)
                        .start();
                gateways.put(account, gateway);
                lines.add(account + ".owner-id = " + owner++);
                lines.add(account + ".gateway-url = " + gateway.url());
                lines.add(account + ".token = token-" + account);
            }
            Files.write(file, lines);
        }
        Map<String, String> settings = settings(nodeId);
        settings.put("openclaw.gateway.owner-id", "");
        settings.put("openclaw.accounts-file", file.toString());
        return settings;
    }

    /** The accounts each bridge holds a connection for, by bridge. */
    Map<String, List<String>> connectedAccounts() {
        Map<String, List<String>> owners = new LinkedHashMap<>();
        bridges.forEach((node, bridge) -> owners.put(node, bridge.context()
                .getComponent("reconnecting-websocket", ReconnectingWebsocketComponent.class).getConnectionStatuses()
                .stream().filter(s -> s.state() == State.CONNECTED).map(ConnectionStatus::account).sorted().toList()));
        return owners;
    }

    List<String> ownersOf(String account) {
        return connectedAccounts().entrySet().stream().filter(e -> e.getValue().contains(account))
                .map(Map.Entry::getKey).toList();
    }

    boolean eachGatewayHasOneConnection() {
        return gateways.values().stream().allMatch(g -> g.establishedConnections() == 1 && g.openConnections() == 1);
    }

    @Test
    void threeBridgesConnectEachAccountExactlyOnceAndAStoppedOwnerHandsItsAccountsOver() throws Exception {
        Map<String, String> first = accountsFileSettings("bridge-1");
        // Started together, so that the first to be up does not win every election by arriving alone.
        ExecutorService starter = Executors.newFixedThreadPool(3);
        try {
            List<Callable<BridgeRunner>> starts = new ArrayList<>();
            for (String node : List.of("bridge-1", "bridge-2", "bridge-3")) {
                Map<String, String> settings = new HashMap<>(first);
                settings.put("bridge.cluster.node-id", node);
                settings.put("bridge.cluster.members", String.join(",", MEMBERS));
                settings.put("bridge.cluster.standby-delay-ms", "3000");
                starts.add(() -> BridgeRunner.start(settings));
            }
            List<Future<BridgeRunner>> started = starter.invokeAll(starts);
            for (int i = 0; i < started.size(); i++) {
                bridges.put("bridge-" + (i + 1), started.get(i).get());
            }
        } finally {
            starter.shutdownNow();
        }

        await().atMost(WAIT).until(this::eachGatewayHasOneConnection);
        // No second connection ever: every Gateway saw exactly one handshake, and keeps one connection.
        await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(this::eachGatewayHasOneConnection);
        gateways.values().forEach(g -> assertEquals(1, g.handshakes()));
        for (String account : ACCOUNTS) {
            assertEquals(1, ownersOf(account).size(), account + " is held by " + ownersOf(account));
            // Spread: each account is held by its preferred owner (alice, bob and carol prefer three different
            // bridges), although all three stand for every election once the standby delay has passed.
            assertEquals(List.of(PreferredOwners.of(account, MEMBERS)), ownersOf(account), account);
        }
        connectedAccounts().forEach((bridge, accounts) -> assertEquals(1, accounts.size(), bridge + " holds " + accounts));

        int owner = 42;
        for (String account : ACCOUNTS) {
            gateways.get(account).sendChat("run-" + account, 1, "final", "agent:a:collavre:" + owner++ + ":creative:1",
                    "for " + account);
        }
        await().atMost(WAIT).until(() -> collavre.posts().size() == ACCOUNTS.length);

        // The owner of alice stops: it lets its connections go and another bridge takes alice over at once.
        String aliceOwner = ownersOf("alice").get(0);
        long stoppedAt = System.nanoTime();
        bridges.remove(aliceOwner).close();
        await().atMost(TAKEOVER_BOUND).until(() -> gateways.get("alice").handshakes() == 2
                                                   && ownersOf("alice").size() == 1);
        System.out.println("alice taken over by " + ownersOf("alice") + " after "
                           + Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis() + " ms");
        await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(this::eachGatewayHasOneConnection);
        assertEquals(2, gateways.get("alice").handshakes());
        sendAndAwaitPost("alice", chat("run-alice-2", 1, "final", "agent:a:collavre:42:creative:1", "alice again"));
    }

    @Test
    void readinessMeansEveryOwnedAccountConnectedAndAStandbyIsReady() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        Map<String, ManagementClient> management = new LinkedHashMap<>();
        CapturedLogs warnings = CapturedLogs.warnings();
        for (String node : List.of("bridge-1", "bridge-2")) {
            int port = AvailablePortFinder.getNextAvailable();
            Map<String, String> settings = settings(node);
            settings.put("openclaw.gateway.url", gateway.url());
            settings.put("openclaw.gateway.token", "gw-secret");
            settings.put("openclaw.gateway.owner-id", "42");
            settings.put("bridge.management.port", String.valueOf(port));
            bridges.put(node, BridgeRunner.start(settings));
            management.put(node, new ManagementClient("127.0.0.1", port));
        }
        await().atMost(WAIT).until(() -> ownersOf("default").size() == 1);
        String owner = ownersOf("default").get(0);
        String standby = owner.equals("bridge-1") ? "bridge-2" : "bridge-1";
        await().atMost(WAIT).until(() -> management.get(owner).readiness().status() == 200
                                         && management.get(standby).readiness().status() == 200);
        JsonObject standing = ManagementClient.check(management.get(standby).readiness().json(),
                GatewayConnectionsHealthCheck.ID).getJsonObject("data");
        assertEquals("standby", standing.getString("account.default.role"));
        assertEquals(owner, standing.getString("account.default.owner"));
        JsonObject owning = ManagementClient.check(management.get(owner).readiness().json(),
                GatewayConnectionsHealthCheck.ID).getJsonObject("data");
        assertEquals("owner", owning.getString("account.default.role"));
        assertEquals("CONNECTED", owning.getString("account.default.state"));
        warnings.close();
        // A session timeout (2 s here) below the default connect timeout (5 s) is a combination the settings allow.
        assertTrue(warnings.lines().stream().noneMatch(l -> l.contains("session timeout")), warnings.lines().toString());

        // The Gateway goes away: the owner is not ready (its account is not connected), the standby still is.
        gateway.stop();
        await().atMost(WAIT).until(() -> management.get(owner).readiness().status() == 503);
        assertEquals(200, management.get(standby).readiness().status());
    }

    @Test
    void aBridgeStandsForAnAccountsElectionOnceAndLaterRouteStartsDoNotArmItAgain() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        List<String> members = List.of("bridge-1", "bridge-2");
        String preferred = PreferredOwners.of("default", members);
        String standby = members.get(0).equals(preferred) ? members.get(1) : members.get(0);
        try (CapturedLogs logs = CapturedLogs.info()) {
            for (String node : List.of(preferred, standby)) {
                Map<String, String> settings = settings(node);
                settings.put("openclaw.gateway.url", gateway.url());
                settings.put("openclaw.gateway.token", "gw-secret");
                settings.put("openclaw.gateway.owner-id", "42");
                settings.put("bridge.cluster.members", String.join(",", members));
                settings.put("bridge.cluster.standby-delay-ms", "500");
                bridges.put(node, BridgeRunner.start(settings));
            }
            String standing = "node=" + standby + " route=gateway-connection-default outcome=standing-for-election";
            await().atMost(WAIT).until(() -> count(logs, standing) == 1);
            await().atMost(WAIT).until(() -> ownersOf("default").equals(List.of(preferred)));

            // Camel calls startup listeners again at every later route start: the standby timer must not be armed
            // again and restart a route someone else (the ZooKeeper guard, an operator) stopped.
            var routes = bridges.get(standby).context().getRouteController();
            routes.stopRoute("gateway-connection-default");
            routes.stopRoute("state-maintenance");
            routes.startRoute("state-maintenance");
            await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> count(logs, standing) == 1
                    && routes.getRouteStatus("gateway-connection-default").isStopped());
            assertEquals(1, count(logs, "Leadership taken. Attempt #1 success"),
                    "one election won, by " + preferred);
            assertEquals(1, gateway.handshakes());
        }
    }

    static long count(CapturedLogs logs, String text) {
        return logs.lines().stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void ownerKilledMidRunIsReplacedWithinTheSessionTimeoutAndTheSurvivorDispatchesTheRunOnce() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        Map<String, String> settings = settings("bridge-a");
        settings.put("openclaw.gateway.url", gateway.url());
        settings.put("openclaw.gateway.token", "gw-secret");
        settings.put("openclaw.gateway.owner-id", "42");

        // Bridge A is a process of its own, so that it can really be killed; alone, it is elected and connects.
        external = startProcess(settings, dir.resolve("bridge-a.log"));
        await().atMost(Duration.ofSeconds(90)).until(() -> gateway.handshakes() == 1);

        settings.put("bridge.cluster.node-id", "bridge-b");
        BridgeRunner b = BridgeRunner.start(settings);
        bridges.put("bridge-b", b);
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(),
                new RetryOneTime(200))) {
            client.start();
            // Bridge B is in line for the account.
            await().atMost(WAIT).until(() -> client.checkExists().forPath("/openclaw-bridge/gateway-default") != null
                                             && client.getChildren().forPath("/openclaw-bridge/gateway-default")
                                                     .size() == 2);
        }
        assertEquals(List.of(), connectedAccounts().get("bridge-b"), "B waits while A holds the account");

        String key = "agent:ai-bot:collavre:42:creative:100";
        gateway.sendChat("run-failover", 1, "delta", key, "Half of ");
        gateway.sendChat("run-failover", 2, "delta", key, "Half of the answer");

        long killedAt = System.nanoTime();
        external.destroyForcibly();
        assertTrue(external.waitFor(30, TimeUnit.SECONDS));
        await().atMost(TAKEOVER_BOUND).until(() -> gateway.handshakes() == 2 && gateway.establishedConnections() == 1);
        long takeoverMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        System.out.println("default taken over by bridge-b " + takeoverMs + " ms after bridge-a was killed");
        await().atMost(WAIT).until(() -> connectedAccounts().get("bridge-b").equals(List.of("default")));
        assertEquals(List.of(), collavre.posts(), "nothing dispatched before the final");

        // B never saw the deltas (their buffer died with A, and is shared only once the buffers live in PostgreSQL):
        // the Gateway's final carries the whole text.
        sendAndAwaitPost("default", chat("run-failover", 3, "final", key, "Half of the answer, and the rest"));
        assertEquals("Half of the answer, and the rest", collavre.postsFor("run-failover").get(0).json()
                .getString("content"));
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> collavre.posts().size() == 1);
    }

    @Test
    void ownerCutOffFromZooKeeperLetsTheConnectionGoBeforeAnotherBridgeTakesItOver() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        try (TcpProxy partition = new TcpProxy(zookeeper.getPort())) {
            Map<String, String> settings = settings("bridge-1");
            settings.put("openclaw.gateway.url", gateway.url());
            settings.put("openclaw.gateway.token", "gw-secret");
            settings.put("openclaw.gateway.owner-id", "42");
            // Bridge 1 reaches ZooKeeper through a link the test can cut; it is alone, so it is elected.
            settings.put("bridge.cluster.zookeeper-url", "127.0.0.1:" + partition.port());
            bridges.put("bridge-1", BridgeRunner.start(settings));
            await().atMost(WAIT).until(() -> connectedAccounts().get("bridge-1").equals(List.of("default")));
            settings.put("bridge.cluster.node-id", "bridge-2");
            settings.put("bridge.cluster.zookeeper-url", zookeeper.getConnectString());
            bridges.put("bridge-2", BridgeRunner.start(settings));

            // Bridge 1 still talks to the Gateway but no longer hears from ZooKeeper: it must let the account go
            // (its session may have expired, and bridge 2 be elected) rather than hold it twice.
            partition.cut();
            await().atMost(TAKEOVER_BOUND).until(() -> connectedAccounts().get("bridge-2").equals(List.of("default")));
            assertEquals(List.of(), connectedAccounts().get("bridge-1"));
            await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> gateway.establishedConnections() == 1
                                                                            && gateway.openConnections() == 1);
            assertEquals(2, gateway.handshakes());

            // Back in touch, bridge 1 waits in line again and does not take the account back.
            partition.heal();
            await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> gateway.establishedConnections() == 1
                                                                            && gateway.handshakes() == 2);
            assertEquals(List.of(), connectedAccounts().get("bridge-1"));
            sendAndAwaitPost("default", chat("run-after-partition", 1, "final", "agent:a:collavre:42:creative:1",
                    "still delivered once"));
            // Not even for a moment: bridge 1 let go before bridge 2 connected.
            assertEquals(1, gateway.peakEstablishedConnections(), "connections the Gateway had at once");
        }
    }

    @Test
    void aZooKeeperOutageShorterThanTheSessionTimeoutKeepsTheConnectionAndLosesNoRun() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        // The longest session the test server grants (20 of its 500 ms ticks): half of it leaves room for the
        // server's restart and the ZooKeeper client's reconnect (which waits up to 2 s between attempts).
        long sessionTimeoutMs = 10_000;
        try (CapturedLogs logs = CapturedLogs.info()) {
            for (String node : List.of("bridge-1", "bridge-2")) {
                Map<String, String> settings = settings(node);
                settings.put("openclaw.gateway.url", gateway.url());
                settings.put("openclaw.gateway.token", "gw-secret");
                settings.put("openclaw.gateway.owner-id", "42");
                settings.put("bridge.cluster.session-timeout-ms", String.valueOf(sessionTimeoutMs));
                bridges.put(node, BridgeRunner.start(settings));
            }
            await().atMost(WAIT).until(() -> gateway.handshakes() == 1 && ownersOf("default").size() == 1);
            awaitInLine("default", 2);

            String key = "agent:ai-bot:collavre:42:creative:7";
            gateway.sendChat("run-blip", 1, "delta", key, "Before the outage, ");
            zookeeper.stop();
            long stoppedAt = System.nanoTime();
            // Both bridges notice at once (the server closed their connections), and hold on.
            await().atMost(WAIT).until(() -> count(logs, "zookeeper=SUSPENDED holdMs=") == 2);
            gateway.sendChat("run-blip", 2, "delta", key, "Before the outage, during it, ");
            Thread.sleep(Math.max(0, sessionTimeoutMs / 2 - Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis()));
            zookeeper.restart();
            // Back within their sessions: both bridges cancel the release they had scheduled.
            await().atMost(WAIT).until(() -> count(logs, "zookeeper=RECONNECTED outcome=held") == 2);
            System.out.println("ZooKeeper back for both bridges " + Duration.ofNanos(System.nanoTime() - stoppedAt)
                    .toMillis() + " ms after it stopped");
            gateway.sendChat("run-blip", 3, "delta", key, "Before the outage, during it, and after.");
            gateway.sendChat("run-blip", 4, "final", key, null);

            await().atMost(WAIT).until(() -> collavre.postsFor("run-blip").size() == 1);
            assertEquals("Before the outage, during it, and after.", collavre.postsFor("run-blip").get(0).json()
                    .getString("content"));
            await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> collavre.posts().size() == 1
                                                                            && gateway.establishedConnections() == 1);
            assertEquals(1, gateway.handshakes(), "the connection was never closed and opened again");
            assertEquals(1, gateway.peakEstablishedConnections());
            assertEquals(0, count(logs, "outcome=released"), logs.lines().toString());
        }
    }

    @Test
    void everyTakeoverIsOneElectionWonAcrossAHandoverAndAZooKeeperOutageLongerThanTheSession() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        List<String> members = List.of("bridge-1", "bridge-2");
        String preferred = PreferredOwners.of("default", members);
        String standby = members.get(0).equals(preferred) ? members.get(1) : members.get(0);
        try (CapturedLogs logs = CapturedLogs.info(); TcpProxy partition = new TcpProxy(zookeeper.getPort())) {
            Map<String, String> settings = settings(preferred);
            settings.put("openclaw.gateway.url", gateway.url());
            settings.put("openclaw.gateway.token", "gw-secret");
            settings.put("openclaw.gateway.owner-id", "42");
            settings.put("bridge.cluster.members", String.join(",", members));
            settings.put("bridge.cluster.standby-delay-ms", "500");
            BridgeRunner first = BridgeRunner.start(settings);
            bridges.put(preferred, first);
            await().atMost(WAIT).until(() -> connectedAccounts().get(preferred).equals(List.of("default")));
            // The standby reaches ZooKeeper through a link the test can cut.
            Map<String, String> standbySettings = new HashMap<>(settings);
            standbySettings.put("bridge.cluster.node-id", standby);
            standbySettings.put("bridge.cluster.zookeeper-url", "127.0.0.1:" + partition.port());
            BridgeRunner second = BridgeRunner.start(standbySettings);
            bridges.put(standby, second);
            awaitInLine("default", 2);
            assertEquals(1, leadershipsTaken(logs, first), "the first election");

            // A handover: the owner stops, the standby takes the account over.
            bridges.remove(preferred).close();
            await().atMost(TAKEOVER_BOUND).until(() -> connectedAccounts().get(standby).equals(List.of("default")));
            // The preferred bridge comes back and waits in line (accounts do not move back).
            BridgeRunner again = BridgeRunner.start(settings);
            bridges.put(preferred, again);
            awaitInLine("default", 2);

            // The standby loses ZooKeeper for longer than its session: it lets the account go before the session
            // expires, the preferred bridge takes it over, and the standby's session is lost for good.
            partition.cut();
            await().atMost(TAKEOVER_BOUND).until(() -> connectedAccounts().get(preferred).equals(List.of("default")));
            await().atMost(WAIT).until(() -> count(logs, "State change: LOST") == 1);
            assertEquals(List.of(), connectedAccounts().get(standby));
            partition.heal();
            String inLine = "node=" + standby + " route=gateway-connection-default zookeeper=RECONNECTED"
                            + " outcome=in-line-again";
            await().atMost(WAIT).until(() -> count(logs, inLine) == 1);

            // One election won per takeover: the first, the handover, the takeover during the outage; none on
            // the standby's way back in line, and it stood for the election once, when its delay had passed.
            await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> gateway.establishedConnections() == 1
                                                                            && gateway.handshakes() == 3);
            assertEquals(1, leadershipsTaken(logs, first));
            assertEquals(1, leadershipsTaken(logs, second), "the handover");
            assertEquals(1, leadershipsTaken(logs, again), "the takeover during the outage");
            assertEquals(3, count(logs, "Leadership taken. Attempt #1 success"), logs.lines().toString());
            assertEquals(1, count(logs, "node=" + standby + " route=gateway-connection-default"
                                        + " outcome=standing-for-election"));
            assertEquals(1, gateway.peakEstablishedConnections());
        }
    }

    @Test
    void aHealthyTakeoverLogsNoWarning() throws Exception {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        gateways.put("default", gateway);
        for (String node : List.of("bridge-1", "bridge-2")) {
            Map<String, String> settings = settings(node);
            settings.put("openclaw.gateway.url", gateway.url());
            settings.put("openclaw.gateway.token", "gw-secret");
            settings.put("openclaw.gateway.owner-id", "42");
            bridges.put(node, BridgeRunner.start(settings));
        }
        await().atMost(WAIT).until(() -> gateway.handshakes() == 1 && ownersOf("default").size() == 1);
        awaitInLine("default", 2);
        String owner = ownersOf("default").get(0);
        String standby = owner.equals("bridge-1") ? "bridge-2" : "bridge-1";

        try (CapturedLogs warnings = CapturedLogs.warnings()) {
            bridges.remove(owner).close();
            await().atMost(TAKEOVER_BOUND).until(() -> connectedAccounts().get(standby).equals(List.of("default")));
            // Longer than camel-master's retry interval (5 s by default), after which its start task used to warn
            // that its budget was spent.
            await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(20))
                    .until(() -> warnings.lines().isEmpty());
        }
        assertEquals(2, gateway.handshakes());
    }

    /** The elections a bridge won and started its consumer for, told apart by its context's thread names. */
    static long leadershipsTaken(CapturedLogs logs, BridgeRunner bridge) {
        String name = bridge.context().getExecutorServiceManager().resolveThreadName("Leadership");
        String thread = name.substring(0, name.indexOf(" thread #"));
        return logs.events().stream().filter(e -> e.getThreadName().startsWith(thread))
                .filter(e -> e.getMessage().getFormattedMessage().startsWith("Leadership taken. Attempt #1 success"))
                .count();
    }

    /** Waits until {@code participants} bridges stand in the account's election. */
    void awaitInLine(String account, int participants) throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(),
                new RetryOneTime(200))) {
            client.start();
            String path = "/openclaw-bridge/" + GatewayCluster.namespace(account);
            await().atMost(WAIT).until(() -> client.checkExists().forPath(path) != null
                                             && client.getChildren().forPath(path).size() == participants);
        }
    }

    void sendAndAwaitPost(String account, String frame) {
        int before = collavre.posts().size();
        gateways.get(account).send(frame);
        await().atMost(WAIT).until(() -> collavre.posts().size() == before + 1);
    }

    /** Runs {@link BridgeMain} in a JVM of its own with the test's class path and the settings as system properties. */
    static Process startProcess(Map<String, String> settings, Path log) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BridgeMain.class.getName());
        File output = log.toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
    }
}
