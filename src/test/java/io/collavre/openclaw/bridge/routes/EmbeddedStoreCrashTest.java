package io.collavre.openclaw.bridge.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.collavre.openclaw.bridge.testing.ManagementClient;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded store (buffers in memory, written behind every proactive.checkpoint-interval-ms) survives a
 * {@code kill -9}: a bridge in a process of its own is killed with an open run written by a checkpoint and a
 * completed run Collavre keeps refusing; a bridge started on the same data folder completes the open run with the
 * buffered text and delivers the completed one, each once, the latter with the same Idempotency-Key.
 */
class EmbeddedStoreCrashTest {

    /** The killed bridge's management port: its metrics say when the open run's buffer was written. */
    final int managementPort = AvailablePortFinder.getNextAvailable();

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final long CHECKPOINT_MS = 100;

    @TempDir
    Path data;

    GatewaySimulator gateway;
    CollavreReceiver collavre;
    Process external;
    BridgeRunner bridge;

    @AfterEach
    void stopAll() {
        if (external != null) {
            external.destroyForcibly();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (collavre != null) {
            collavre.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("openclaw.gateway.url", gateway.url());
        settings.put("openclaw.gateway.token", "gw-secret");
        settings.put("openclaw.gateway.owner-id", "42");
        settings.put("collavre.url", collavre.url());
        settings.put("collavre.redelivery.initial-delay-ms", "200");
        settings.put("collavre.redelivery.max-delay-ms", "1000");
        settings.put("collavre.redelivery.max-redeliveries", "1000");
        settings.put("bridge.data-dir", data.toString());
        settings.put("bridge.management.port", String.valueOf(AvailablePortFinder.getNextAvailable()));
        settings.put("proactive.state-store", "embedded");
        settings.put("proactive.checkpoint-interval-ms", String.valueOf(CHECKPOINT_MS));
        settings.put("proactive.recovery-interval-ms", "500");
        settings.put("camel.main.shutdown-timeout", "2");
        return settings;
    }

    @Test
    void killedMidRunTheNextStartCompletesTheOpenRunAndDeliversTheUnfinishedOneOnce() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        Map<String, String> killed = settings();
        killed.put("bridge.management.port", String.valueOf(managementPort));
        external = ClusteredBridgesTest.startProcess(killed, data.resolve("bridge-killed.log"));
        await().atMost(Duration.ofSeconds(90)).until(() -> gateway.handshakes() == 1);

        gateway.sendChat("run-open", 1, "delta", KEY, "Half of ");
        gateway.sendChat("run-open", 2, "delta", KEY, "Half of the answer");
        collavre.respondWith(Collections.nCopies(10_000, 503).toArray(Integer[]::new));
        gateway.sendChat("run-unfinished", 1, "final", KEY, "completed before the kill");
        await().atMost(WAIT).until(() -> collavre.postsFor("run-unfinished").size() >= 2);
        // The open run's deltas are written within the checkpoint interval (the documented window of a kill): its
        // buffer row, the only one, counted by the bridge.
        ManagementClient management = new ManagementClient("127.0.0.1", managementPort);
        await().atMost(WAIT).ignoreExceptions().until(() -> ManagementClient.sample(management.scrape(),
                "openclaw_bridge_state_buffer_writes_total") >= 1);

        external.destroyForcibly();
        assertTrue(external.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.readString(data.resolve("bridge-killed.log")).contains("store=embedded"));
        collavre.reset();

        bridge = BridgeRunner.start(settings());
        await().atMost(WAIT).until(() -> gateway.handshakes() == 2);
        // The completed run whose delivery never ended is delivered once, same Idempotency-Key.
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-unfinished").size() == 1);
        assertEquals("completed before the kill",
                collavre.acceptedFor("run-unfinished").get(0).json().getString("content"));
        assertEquals("run-unfinished", collavre.acceptedFor("run-unfinished").get(0).header("idempotency-key"));

        // An empty final: the text is the one the checkpoint wrote before the kill.
        gateway.sendChat("run-open", 3, "final", KEY, null);
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-open").size() == 1);
        assertEquals("Half of the answer", collavre.acceptedFor("run-open").get(0).json().getString("content"));

        // Replayed finals are suppressed by the dedup memory: nothing goes twice.
        gateway.sendChat("run-unfinished", 2, "final", KEY, "completed before the kill");
        gateway.sendChat("run-open", 4, "final", KEY, "Half of the answer");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(15))
                .until(() -> collavre.posts().size() == 2);
        assertEquals(1, collavre.postsFor("run-unfinished").size());
        assertEquals(1, collavre.postsFor("run-open").size());
    }
}
