package io.collavre.openclaw.bridge.routes;

import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.PostgresServer;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus;
import io.collavre.openclaw.bridge.websocket.ConnectionStatus.State;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketComponent;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several bridges sharing one real PostgreSQL (run buffers, dedup memory, unfinished deliveries) and one real
 * ZooKeeper (account owners): a survivor completes a killed owner's run with the text buffered before the kill, and
 * delivers the run the dead owner was still posting; a run whose events reach two bridges is posted once; a run taken
 * over and never heard of again is purged after the buffer TTL; an outage of PostgreSQL in the middle of a streaming
 * run costs no frame.
 */
class SharedStateBridgesTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration QUIET = Duration.ofSeconds(3);
    static final long SESSION_TIMEOUT_MS = 2000;
    static final long INSTANCE_TIMEOUT_MS = 3000;
    static final String KEY = "agent:ai-bot:collavre:42:creative:100";

    static PostgresServer postgres;

    @TempDir
    Path dir;
    TestingServer zookeeper;
    CollavreReceiver collavre;
    final List<GatewaySimulator> gateways = new ArrayList<>();
    final Map<String, BridgeRunner> bridges = new LinkedHashMap<>();
    Process external;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @BeforeEach
    void startServers() throws Exception {
        zookeeper = new TestingServer(new InstanceSpec(dir.resolve("zookeeper").toFile(), -1, -1, -1, true, -1, 500, -1),
                true);
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        postgres.dropBridgeTables();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (external != null) {
            external.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        bridges.values().forEach(BridgeRunner::close);
        gateways.forEach(GatewaySimulator::close);
        collavre.close();
        zookeeper.close();
    }

    GatewaySimulator gateway(String token) {
        GatewaySimulator gateway = new GatewaySimulator(GatewaySimulator.freePort(), token).start();
        gateways.add(gateway);
        return gateway;
    }

    Map<String, String> settings(String nodeId, GatewaySimulator gateway, String token) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bridge.cluster.enabled", "true");
        settings.put("bridge.cluster.zookeeper-url", zookeeper.getConnectString());
        settings.put("bridge.cluster.session-timeout-ms", String.valueOf(SESSION_TIMEOUT_MS));
        settings.put("bridge.cluster.node-id", nodeId);
        settings.put("proactive.state-store", "postgresql");
        settings.put("bridge.db.url", postgres.jdbcUrl());
        settings.put("bridge.db.user", postgres.user());
        settings.put("bridge.db.password", postgres.password());
        settings.put("bridge.db.pool-size", "4");
        settings.put("bridge.db.maintenance-interval-ms", "500");
        settings.put("bridge.db.instance-timeout-ms", String.valueOf(INSTANCE_TIMEOUT_MS));
        settings.put("proactive.recovery-interval-ms", "500");
        settings.put("openclaw.gateway.url", gateway.url());
        settings.put("openclaw.gateway.token", token);
        settings.put("openclaw.gateway.owner-id", "42");
        settings.put("openclaw.gateway.reconnect-base-delay-ms", "100");
        settings.put("openclaw.gateway.reconnect-max-delay-ms", "400");
        settings.put("collavre.url", collavre.url());
        settings.put("collavre.redelivery.initial-delay-ms", "200");
        settings.put("collavre.redelivery.max-delay-ms", "500");
        settings.put("collavre.redelivery.max-redeliveries", "1000");
        settings.put("bridge.data-dir", dir.resolve(nodeId).toString());
        return settings;
    }

    /** One bridge, no cluster, on the shared database; a stop that does not wait long for in-flight exchanges. */
    Map<String, String> soloSettings(GatewaySimulator gateway) {
        Map<String, String> settings = settings("bridge-solo", gateway, "gw-secret");
        settings.put("bridge.cluster.enabled", "false");
        settings.put("camel.main.shutdown-timeout", "2");
        return settings;
    }

    List<String> connectedAccounts(BridgeRunner bridge) {
        return bridge.context().getComponent("reconnecting-websocket", ReconnectingWebsocketComponent.class)
                .getConnectionStatuses().stream().filter(s -> s.state() == State.CONNECTED)
                .map(ConnectionStatus::account).sorted().toList();
    }

    static long count(String query) throws Exception {
        try (Connection connection = postgres.connect(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The text of a run's buffer row, as the last checkpoint wrote it; null without a row. */
    static String bufferedText(String runId) throws Exception {
        try (Connection connection = postgres.connect();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT buffer FROM run_buffer_rows WHERE run_id = ?")) {
            select.setString(1, runId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(rows.getBytes(1)))) {
                    return ((RunBuffer) in.readObject()).getText();
                }
            }
        }
    }

    @Test
    void survivorCompletesTheKilledOwnersRunWithTheSharedBufferAndDeliversWhatTheOwnerLeftUnfinished()
            throws Exception {
        GatewaySimulator gateway = gateway("gw-secret");
        // Bridge A is a process of its own, so that it can really be killed; alone, it is elected and connects.
        external = ClusteredBridgesTest.startProcess(settings("bridge-a", gateway, "gw-secret"),
                dir.resolve("bridge-a.log"));
        await().atMost(Duration.ofSeconds(90)).until(() -> gateway.handshakes() == 1);
        BridgeRunner b = BridgeRunner.start(settings("bridge-b", gateway, "gw-secret"));
        bridges.put("bridge-b", b);
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM bridge_instances") == 2);
        assertEquals(List.of(), connectedAccounts(b), "B waits while A holds the account");

        // A buffers a run's deltas in memory and writes them behind to PostgreSQL (every checkpoint interval) ...
        gateway.sendChat("run-failover", 1, "delta", KEY, "Half of ");
        gateway.sendChat("run-failover", 2, "delta", KEY, "Half of the answer");
        await().atMost(WAIT).until(() -> "Half of the answer".equals(bufferedText("run-failover")));
        // ... and is still posting another run, which Collavre keeps refusing.
        collavre.respondWith(Collections.nCopies(10_000, 503).toArray(Integer[]::new));
        gateway.sendChat("run-unfinished", 1, "final", KEY, "posted by A, delivered by B");
        await().atMost(WAIT).until(() -> collavre.postsFor("run-unfinished").size() >= 2);

        external.destroyForcibly();
        assertTrue(external.waitFor(30, TimeUnit.SECONDS));
        String logOfA = Files.readString(dir.resolve("bridge-a.log"));
        assertTrue(logOfA.contains("store=postgresql"), "A used the shared store");
        assertFalse(logOfA.contains(postgres.password()), "the database password is never logged");
        collavre.reset();
        await().atMost(WAIT).until(() -> gateway.handshakes() == 2 && connectedAccounts(b).equals(List.of("default")));
        assertEquals(List.of(), collavre.postsFor("run-failover"), "nothing dispatched before the final");

        // The final carries no text: the text comes from the buffer A wrote.
        gateway.sendChat("run-failover", 3, "final", KEY, null);
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-failover").size() == 1);
        assertEquals("Half of the answer", collavre.acceptedFor("run-failover").get(0).json().getString("content"));

        // A's unfinished delivery is taken over once A's heartbeat is older than the instance timeout.
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-unfinished").size() == 1);
        assertEquals("posted by A, delivered by B",
                collavre.acceptedFor("run-unfinished").get(0).json().getString("content"));

        // The Gateway replays the final after the takeover: suppressed by the shared dedup memory.
        gateway.sendChat("run-failover", 4, "final", KEY, "Half of the answer");
        gateway.sendChat("run-unfinished", 2, "final", KEY, "posted by A, delivered by B");
        await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> collavre.posts().size() == 2);
        assertEquals(1, collavre.postsFor("run-failover").size());
        assertEquals(1, collavre.postsFor("run-unfinished").size());
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM run_buffer_rows") == 0
                                         && count("SELECT COUNT(*) FROM run_buffer_outbox") == 0);
    }

    @Test
    void aGracefulStopHandsTheOpenRunsOverAndTheNextBridgeCompletesThemWithTheirWholeText() throws Exception {
        GatewaySimulator gateway = gateway("gw-secret");
        Map<String, String> settingsOfA = settings("bridge-a", gateway, "gw-secret");
        // No checkpoint while A runs: what B reads is what A's stop wrote.
        settingsOfA.put("proactive.checkpoint-interval-ms", "600000");
        BridgeRunner a = BridgeRunner.start(settingsOfA);
        bridges.put("bridge-a", a);
        await().atMost(WAIT).until(() -> connectedAccounts(a).equals(List.of("default")));
        BridgeRunner b = BridgeRunner.start(settings("bridge-b", gateway, "gw-secret"));
        bridges.put("bridge-b", b);
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM bridge_instances") == 2);
        assertEquals(List.of(), connectedAccounts(b), "B waits while A holds the account");

        // Runs A buffers in memory only.
        NotifyBuilder buffered = new NotifyBuilder(a.context()).whenDone(6).wereSentTo("direct:run-buffer").create();
        for (int run = 0; run < 3; run++) {
            gateway.sendChat("run-handed-over-" + run, 1, "delta", KEY, "Begun on A");
            gateway.sendChat("run-handed-over-" + run, 2, "delta", KEY, "Begun on A, streamed until it stopped " + run);
        }
        assertTrue(buffered.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "A buffered every delta");
        assertEquals(0, count("SELECT COUNT(*) FROM run_buffer_rows"), "nothing written before the stop");
        assertEquals(List.of(), b.context().getRegistry().lookupByNameAndType("runBufferRepository",
                RunBufferRepository.class).openRunIds(), "B holds no buffer of an account it does not read");

        bridges.remove("bridge-a").close();
        await().atMost(WAIT).until(() -> connectedAccounts(b).equals(List.of("default")) && gateway.handshakes() == 2);
        assertEquals(3, b.context().getRegistry().lookupByNameAndType("runBufferRepository",
                RunBufferRepository.class).getOpenBuffers(), "B took A's open runs over");

        // Finals without text: the text is what A had buffered when it stopped.
        for (int run = 0; run < 3; run++) {
            gateway.sendChat("run-handed-over-" + run, 3, "final", KEY, null);
        }
        await().atMost(WAIT).until(() -> collavre.posts().size() >= 3);
        await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> collavre.posts().size() == 3);
        for (int run = 0; run < 3; run++) {
            List<CollavreReceiver.Post> posts = collavre.postsFor("run-handed-over-" + run);
            assertEquals(1, posts.size());
            assertEquals("Begun on A, streamed until it stopped " + run, posts.get(0).json().getString("content"));
        }
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM run_buffer_rows") == 0
                                         && count("SELECT COUNT(*) FROM run_buffer_outbox") == 0);
    }

    @Test
    void aRunWhoseEventsReachTwoBridgesIsPostedOnce() throws Exception {
        // Two Gateways stream the same runs to two bridges, one account each (both bridges in the cluster): each
        // bridge buffers its account's copy of a run, and the shared dedup memory lets one of them dispatch it.
        GatewaySimulator first = gateway("one");
        GatewaySimulator second = gateway("two");
        Map<String, String> one = settings("bridge-1", first, "one");
        one.put("openclaw.gateway.account", "one");
        Map<String, String> two = settings("bridge-2", second, "two");
        two.put("openclaw.gateway.account", "two");
        bridges.put("bridge-1", BridgeRunner.start(one));
        bridges.put("bridge-2", BridgeRunner.start(two));
        await().atMost(WAIT).until(() -> connectedAccounts(bridges.get("bridge-1")).equals(List.of("one"))
                                         && connectedAccounts(bridges.get("bridge-2")).equals(List.of("two")));

        int runs = 20;
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < runs; i++) {
                String runId = "run-twice-" + i;
                List<Future<?>> sent = new ArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                for (GatewaySimulator gateway : List.of(first, second)) {
                    sent.add(senders.submit(() -> {
                        go.await();
                        // Cumulative deltas, the same on both; the final without text.
                        gateway.sendChat(runId, 1, "delta", KEY, "The whole ");
                        gateway.sendChat(runId, 2, "delta", KEY, "The whole text of " + runId);
                        gateway.sendChat(runId, 3, "final", KEY, null);
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            senders.shutdownNow();
        }

        await().atMost(WAIT).until(() -> collavre.posts().size() >= runs);
        await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> collavre.posts().size() == runs);
        for (int i = 0; i < runs; i++) {
            String runId = "run-twice-" + i;
            assertEquals(1, collavre.postsFor(runId).size(), runId);
            assertEquals("The whole text of " + runId, collavre.postsFor(runId).get(0).json().getString("content"));
        }
        assertTrue(first.establishedConnections() == 1 && second.establishedConnections() == 1);
        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM run_buffer_rows") == 0
                                         && count("SELECT COUNT(*) FROM run_buffer_outbox") == 0);
    }

    @Test
    void aBridgeRestartedOnTheSameDatabaseCompletesOpenRunsAndRemembersDispatchedOnes() throws Exception {
        GatewaySimulator gateway = gateway("gw-secret");
        Map<String, String> settings = soloSettings(gateway);
        BridgeRunner bridge = BridgeRunner.start(settings);
        bridges.put("first", bridge);
        await().atMost(WAIT).until(() -> gateway.handshakes() == 1);
        gateway.sendChat("run-delivered", 1, "final", KEY, "delivered before the restart");
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-delivered").size() == 1);
        gateway.sendChat("run-open", 1, "delta", KEY, "begun before ");
        await().atMost(WAIT).until(() -> "begun before ".equals(bufferedText("run-open")));

        bridges.remove("first").close();
        bridges.put("second", BridgeRunner.start(settings));
        await().atMost(WAIT).until(() -> gateway.handshakes() == 2);
        gateway.sendChat("run-open", 2, "delta", KEY, "begun before the restart");
        gateway.sendChat("run-open", 3, "final", KEY, null);
        gateway.sendChat("run-delivered", 7, "final", KEY, "delivered before the restart");
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-open").size() == 1);
        assertEquals("begun before the restart", collavre.acceptedFor("run-open").get(0).json().getString("content"));
        await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> collavre.posts().size() == 2);
        assertEquals(1, collavre.postsFor("run-delivered").size());
    }

    @Test
    void aRunTakenOverWhoseFinalNeverComesIsPurgedOnceTheBufferTtlHasPassed() throws Exception {
        GatewaySimulator gateway = gateway("gw-secret");
        Map<String, String> settings = soloSettings(gateway);
        settings.put("proactive.buffer-ttl-seconds", "3");
        settings.put("proactive.sweep-interval-seconds", "1");
        BridgeRunner first = BridgeRunner.start(settings);
        bridges.put("first", first);
        await().atMost(WAIT).until(() -> gateway.handshakes() == 1);
        NotifyBuilder buffered = new NotifyBuilder(first.context()).whenDone(1).wereSentTo("direct:run-buffer").create();
        gateway.sendChat("run-abandoned", 1, "delta", KEY, "begun, never ended");
        assertTrue(buffered.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the delta was buffered");

        // A graceful stop hands the open run over; the next bridge takes it over when it connects, after its
        // Aggregator started (so not from the keys the Aggregator reads at its start).
        bridges.remove("first").close();
        try (CapturedLogs logs = CapturedLogs.info()) {
            BridgeRunner second = BridgeRunner.start(settings);
            bridges.put("second", second);
            RunBufferRepository buffers = second.context().getRegistry().lookupByNameAndType("runBufferRepository",
                    RunBufferRepository.class);
            await().atMost(WAIT).until(() -> gateway.handshakes() == 2);
            await().atMost(WAIT).until(() -> buffers.openRunIds().equals(List.of("run-abandoned")));

            // No final ever comes: the Aggregator's completion timeout purges the run, as any other.
            await().atMost(WAIT).until(() -> buffers.getOpenBuffers() == 0);
            await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM run_buffer_rows") == 0
                                             && count("SELECT COUNT(*) FROM run_buffer_outbox") == 0);
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("runId=run-abandoned")
                                                           && l.contains("state=stale outcome=purged")),
                    "the purge is logged as the buffer TTL's");
        }
        assertEquals(List.of(), collavre.posts(), "a purged run is not posted");
    }

    @Test
    void aPostgresOutageOfTenSecondsDuringAStreamingRunDropsNoFrameAndPostsTheRunOnce() throws Exception {
        GatewaySimulator gateway = gateway("gw-secret");
        Map<String, String> settings = soloSettings(gateway);
        // A database call waiting for a connection gives up after 1 s instead of 5: the outage is felt at once.
        settings.put("bridge.db.connection-timeout-ms", "1000");
        String streamed = "run-through-the-outage";
        String begunAndEnded = "run-within-the-outage";
        try (CapturedLogs logs = CapturedLogs.info()) {
            BridgeRunner bridge = BridgeRunner.start(settings);
            bridges.put("solo", bridge);
            await().atMost(WAIT).until(() -> gateway.handshakes() == 1);

            // The run streams cumulative deltas; its first two are buffered while PostgreSQL is up.
            NotifyBuilder buffered = new NotifyBuilder(bridge.context()).whenDone(2).wereSentTo("direct:run-buffer")
                    .create();
            gateway.sendChat(streamed, 1, "delta", KEY, cumulative(1));
            gateway.sendChat(streamed, 2, "delta", KEY, cumulative(2));
            assertTrue(buffered.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the first deltas were processed");
            assertTrue(bridge.context().getProcessor("run-buffers", AggregateProcessor.class).getAggregationRepository()
                    .getKeys().contains(streamed), "the run is buffered before the outage");

            // 10 s of outage at the Gateway's pace, a delta every 500 ms; meanwhile a second run starts and ends,
            // its final without text too.
            int outageTicks = 20;
            int lastSeq = 2 + outageTicks;
            // The first run's deltas of the outage and its final, the second run's 4 deltas and its final.
            int framesStillToCome = outageTicks + 1 + 4 + 1;
            NotifyBuilder allProcessed = new NotifyBuilder(bridge.context()).whenDone(framesStillToCome)
                    .wereSentTo("direct:run-buffer").create();
            postgres.stop();
            try {
                long stoppedAt = System.nanoTime();
                for (int tick = 0; tick < outageTicks; tick++) {
                    gateway.sendChat(streamed, 3 + tick, "delta", KEY, cumulative(3 + tick));
                    if (tick >= 6 && tick < 10) {
                        gateway.sendChat(begunAndEnded, tick - 5, "delta", KEY, cumulative(tick - 5));
                    } else if (tick == 10) {
                        gateway.sendChat(begunAndEnded, 5, "final", KEY, null);
                    }
                    // The Gateway's pace, not a wait for the bridge: nothing to poll for.
                    long next = stoppedAt + TimeUnit.MILLISECONDS.toNanos(500L * (tick + 1));
                    TimeUnit.NANOSECONDS.sleep(next - System.nanoTime());
                }
            } finally {
                // Back on the same port whatever happened: the other tests share this server.
                postgres.restart();
            }

            // The final carries no text: the posted text is what the bridge buffered, the outage's deltas included.
            gateway.sendChat(streamed, lastSeq + 1, "final", KEY, null);
            assertTrue(allProcessed.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "every frame was processed");
            // Only these two runs are streamed: any frame dropped is one of theirs.
            List<String> drops = logs.lines().stream()
                    .filter(l -> l.contains("frame=unprocessable") || l.contains("outcome=dropped")).toList();
            assertEquals(List.of(), drops, "no frame is dropped during the outage");

            await().atMost(WAIT).until(() -> collavre.acceptedFor(streamed).size() == 1
                                             && collavre.acceptedFor(begunAndEnded).size() == 1);
            assertEquals(cumulative(lastSeq), collavre.acceptedFor(streamed).get(0).json().getString("content"));
            assertEquals(cumulative(4), collavre.acceptedFor(begunAndEnded).get(0).json().getString("content"));
            await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> collavre.posts().size() == 2);
            assertEquals(1, collavre.postsFor(streamed).size());
            assertEquals(1, collavre.postsFor(begunAndEnded).size());
            assertTrue(logs.lines().stream().noneMatch(l -> l.contains(postgres.password())),
                    "the database password is never logged");
        }
    }

    /** The text of a run after its delta {@code seq}: each delta repeats the text so far and adds to it. */
    static String cumulative(int seq) {
        return IntStream.rangeClosed(1, seq).mapToObj(i -> "part " + i).collect(Collectors.joining(", "));
    }
}
