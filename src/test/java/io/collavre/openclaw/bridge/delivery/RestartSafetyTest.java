package io.collavre.openclaw.bridge.delivery;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.deadletter.DeadLetterStore;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Post;
import io.collavre.openclaw.bridge.testing.DeadLetters;
import io.collavre.openclaw.bridge.testing.FramesProcessed;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.vertx.core.json.JsonObject;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge is stopped with open buffers and a delivery still being retried, and a new one is started on the
 * same data folder: nothing is lost and nothing is delivered twice.
 */
class RestartSafetyTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    GatewaySimulator gateway;
    CollavreReceiver collavre;
    BridgeRunner bridge;
    FramesProcessed frames;

    @BeforeEach
    void startServers() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
    }

    @AfterEach
    void stopAll() {
        if (bridge != null) {
            bridge.close();
        }
        collavre.close();
        gateway.close();
    }

    void startBridge(boolean persistent) throws Exception {
        startBridge(Map.of("proactive.persistent", String.valueOf(persistent)));
    }

    void startBridge(Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("openclaw.gateway.url", gateway.url());
        settings.put("openclaw.gateway.token", "gw-secret");
        settings.put("openclaw.gateway.owner-id", "42");
        settings.put("collavre.url", collavre.url());
        settings.put("collavre.redelivery.initial-delay-ms", "200");
        settings.put("collavre.redelivery.max-delay-ms", "1000");
        settings.put("collavre.redelivery.max-redeliveries", "1000");
        settings.put("bridge.data-dir", data.toString());
        settings.put("deadletter.replay-poll-ms", "200");
        settings.put("proactive.recovery-interval-ms", "500");
        // Do not wait long for a delivery Collavre keeps refusing.
        settings.put("camel.main.shutdown-timeout", "2");
        settings.putAll(overrides);
        int before = gateway.handshakes();
        bridge = BridgeRunner.start(settings);
        frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
        await().atMost(WAIT).until(() -> gateway.handshakes() == before + 1);
    }

    void send(String... sent) throws InterruptedException {
        frames.reset();
        for (String frame : sent) {
            gateway.send(frame);
        }
        frames.await(sent.length, WAIT);
    }

    void stopBridge() {
        bridge.close();
        bridge = null;
    }

    @Test
    void persistentStateKeepsOpenBuffersPendingDeliveriesAndTheDedupMemoryOverARestart() throws Exception {
        startBridge(true);
        send(chat("run-delivered", 1, "final", KEY, "delivered before the restart"));
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-delivered").size() == 1);

        send(chat("run-open", 1, "delta", KEY, "begun before "));
        // Collavre fails from now on: the next completed run stays in delivery.
        collavre.respondWith(Collections.nCopies(100, 503).toArray(Integer[]::new));
        send(chat("run-pending", 1, "delta", KEY, "completed before"), chat("run-pending", 2, "final", KEY, null),
                chat("run-final-only", 1, "final", KEY, "a final without deltas"));
        await().atMost(WAIT).until(() -> collavre.postsFor("run-pending").size() >= 2
                                          && collavre.postsFor("run-final-only").size() >= 2);

        stopBridge();
        collavre.reset();

        startBridge(true);
        // The delivery that never ended is recovered and made once.
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-pending").size() == 1);
        assertEquals("completed before", collavre.acceptedFor("run-pending").get(0).json().getString("content"));
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-final-only").size() == 1);
        assertEquals("a final without deltas",
                collavre.acceptedFor("run-final-only").get(0).json().getString("content"));

        // The open buffer kept its text: the run completes whole.
        send(chat("run-open", 2, "delta", KEY, "begun before the restart"), chat("run-open", 3, "final", KEY, null));
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-open").size() == 1);
        assertEquals("begun before the restart", collavre.acceptedFor("run-open").get(0).json().getString("content"));

        // The Gateway replays runs dispatched before the restart: the dedup memory survived, nothing goes twice.
        NotifyBuilder decided = new NotifyBuilder(bridge.context()).whenDone(2)
                .wereSentTo("direct:collavre-dispatch").create();
        send(chat("run-delivered", 7, "final", KEY, "delivered before the restart"),
                chat("run-pending", 7, "final", KEY, "completed before"));
        assertTrue(decided.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(0, collavre.postsFor("run-delivered").size());
        assertEquals(1, collavre.postsFor("run-pending").size());
        assertEquals(1, collavre.postsFor("run-final-only").size());
        assertEquals(3, collavre.posts().size());
    }

    @Test
    void inMemoryStateWritesADeliveryCutShortByTheStopForReplayAtTheNextStart() throws Exception {
        startBridge(false);
        collavre.down();
        send(chat("run-cut", 1, "final", KEY, "cut short by the stop"));
        DeadLetters letters = new DeadLetters(data.resolve("dead-letters"));
        DeadLetterStore store = bridge.context().getRegistry().lookupByNameAndType("deadLetterStore",
                DeadLetterStore.class);
        await().atMost(WAIT).until(() -> store.getInFlight() == 1);

        stopBridge();
        assertEquals(1, letters.replayFiles().size(), "the unfinished delivery is written down");
        JsonObject letter = DeadLetters.json(letters.replayFiles().get(0));
        assertEquals("run-cut", letter.getString("idempotencyKey"));
        assertEquals("bridge-stopped", letter.getString("reason"));
        assertEquals("cut short by the stop", letter.getJsonObject("payload").getString("content"),
                "the posted document, as JSON: " + letter.encode());

        collavre.up();
        startBridge(false);
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-cut").size() == 1);
        assertEquals("cut short by the stop", collavre.acceptedFor("run-cut").get(0).json().getString("content"));
        assertEquals("run-cut", collavre.acceptedFor("run-cut").get(0).header("idempotency-key"));
        await().atMost(WAIT).until(() -> letters.replayFiles().isEmpty() && letters.files().isEmpty());
        assertEquals(1, collavre.posts().size());
    }

    @Test
    void theEmbeddedStoreHandsADeliveryStoppedInItsRetryWaitOverThroughItsRecoveryOnly() throws Exception {
        // proactive.state-store=embedded, not the older proactive.persistent: both must mean persistent state.
        Map<String, String> embedded = Map.of("proactive.state-store", "embedded");
        Map<String, String> longRetryWait = new HashMap<>(embedded);
        longRetryWait.put("collavre.redelivery.initial-delay-ms", "60000");
        startBridge(longRetryWait);
        collavre.respondWith(503);
        send(chat("run-waiting", 1, "final", KEY, "stopped while waiting for its retry"));
        await().atMost(WAIT).until(() -> collavre.postsFor("run-waiting").size() == 1);

        stopBridge();
        DeadLetters letters = new DeadLetters(data.resolve("dead-letters"));
        assertTrue(letters.replayFiles().isEmpty(), "the store recovers the delivery: nothing written for replay too");

        startBridge(embedded);
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-waiting").size() == 1);
        assertEquals("stopped while waiting for its retry",
                collavre.acceptedFor("run-waiting").get(0).json().getString("content"));
        assertEquals("run-waiting", collavre.acceptedFor("run-waiting").get(0).header("idempotency-key"));
        assertEquals(2, collavre.postsFor("run-waiting").size(), "the refused post and the one after the restart");
    }

    @Test
    void theEmbeddedStoresFirstPostWaitsForNoCommitAndARunWaitingForCollavreIsWrittenDownAllTheSame() throws Exception {
        Map<String, String> embedded = Map.of("proactive.state-store", "embedded");
        startBridge(embedded);
        collavre.respondWith(Collections.nCopies(100, 503).toArray(Integer[]::new));
        try (Connection database = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("state/bridge-state")
                                                              + ";WRITE_DELAY=0;TRACE_LEVEL_FILE=0", "bridge", "");
             Statement sql = database.createStatement()) {
            // Every other connection's statements wait from now on: the store's writer cannot commit anything.
            sql.execute("SET EXCLUSIVE 1");
            send(chat("run-slow-disk", 1, "delta", KEY, "posted before"),
                    chat("run-slow-disk", 2, "final", KEY, "posted before its outbox row is on disk"));
            Post first = collavre.awaitPost(WAIT);
            assertEquals("run-slow-disk", first.header("idempotency-key"), "posted while the database was paused");
            assertEquals(0, outboxRows(sql), "nothing committed yet");

            sql.execute("SET EXCLUSIVE 0");
            // Refused by Collavre, the run waits for its retry: written down by the next commit.
            await().atMost(WAIT).until(() -> outboxRows(sql) == 1);
        }
        stopBridge();
        collavre.reset();

        startBridge(embedded);
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-slow-disk").size() == 1);
        assertEquals("posted before its outbox row is on disk",
                collavre.acceptedFor("run-slow-disk").get(0).json().getString("content"));
        assertEquals("run-slow-disk", collavre.acceptedFor("run-slow-disk").get(0).header("idempotency-key"));
    }

    static int outboxRows(Statement sql) throws SQLException {
        try (ResultSet rows = sql.executeQuery("SELECT COUNT(*) FROM run_buffer_outbox")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void aBufferReadBackAtStartIsPurgedOnceItsTtlSinceItsLastEventHasPassedWhenNoFinalComes() throws Exception {
        Map<String, String> shortTtl = Map.of("proactive.state-store", "embedded",
                "proactive.buffer-ttl-seconds", "4", "proactive.sweep-interval-seconds", "1");
        startBridge(shortTtl);
        send(chat("run-abandoned", 1, "delta", KEY, "begun before the restart, never finished"));
        stopBridge();

        startBridge(shortTtl);
        RunBufferRepository buffers = bridge.context().getRegistry().lookupByNameAndType("runBufferRepository",
                RunBufferRepository.class);
        assertEquals(1, buffers.getOpenBuffers(), "read back at start");
        NotifyBuilder purged = new NotifyBuilder(bridge.context()).fromRoute("run-buffer-aggregate")
                .whenCompleted(1).create();
        assertTrue(purged.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "purged by the Aggregator's timeout");
        await().atMost(WAIT).until(() -> buffers.getOpenBuffers() == 0);
        assertTrue(collavre.postsFor("run-abandoned").isEmpty(), "a stale buffer is not posted");

        // Nothing of it is read back at the next start.
        stopBridge();
        startBridge(shortTtl);
        assertEquals(0, bridge.context().getRegistry().lookupByNameAndType("runBufferRepository",
                RunBufferRepository.class).getOpenBuffers());
    }
}
