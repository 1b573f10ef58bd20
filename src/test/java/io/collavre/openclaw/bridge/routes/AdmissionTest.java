package io.collavre.openclaw.bridge.routes;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.FramesProcessed;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the bridge lets in, through the YAML routes: frames over the size cap, run ids that cannot be trusted,
 * session keys naming another user and repeated frames are dropped; the runs around them are not disturbed.
 */
class AdmissionTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int MAX_FRAME_CHARS = 2000;

    static GatewaySimulator gateway;
    static CollavreReceiver collavre;
    static BridgeRunner bridge;
    static FramesProcessed frames;

    @BeforeAll
    static void startAll() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        bridge = BridgeRunner.start(Map.of(
                "openclaw.gateway.url", gateway.url(),
                "openclaw.gateway.token", "gw-secret",
                "openclaw.gateway.owner-id", "42",
                "openclaw.gateway.max-frame-chars", String.valueOf(MAX_FRAME_CHARS),
                "proactive.max-run-id-chars", "20",
                "collavre.url", collavre.url()));
        await().atMost(WAIT).until(() -> gateway.handshakes() == 1);
        frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
    }

    @AfterAll
    static void stopAll() throws Exception {
        bridge.close();
        collavre.close();
        gateway.close();
    }

    @BeforeEach
    void clearReceiver() {
        collavre.reset();
    }

    /** Sends the frames, the last of which completes a run, and waits until that run's dispatch is decided. */
    static void sendCompletingOne(String... sent) throws InterruptedException {
        NotifyBuilder dispatched = new NotifyBuilder(bridge.context()).whenDone(1)
                .wereSentTo("direct:collavre-dispatch").create();
        frames.reset();
        for (String frame : sent) {
            gateway.send(frame);
        }
        frames.await(sent.length, WAIT);
        assertTrue(dispatched.matches(WAIT.toMillis(), TimeUnit.MILLISECONDS), "dispatch decided");
    }

    @Test
    void repeatedFramesAreDroppedEvenWhenTheyComeLate() throws Exception {
        String first = chat("run-dup", 1, "delta", KEY, "The");
        String second = chat("run-dup", 2, "delta", KEY, "The quick");
        String fin = chat("run-dup", 2, "final", KEY, null);
        // The final shares the last delta's seq: a different event, not a copy.
        sendCompletingOne(first, first, second, first, second, fin, fin);
        assertEquals("The quick", collavre.awaitPost(WAIT).json().getString("content"));
        assertEquals(1, collavre.posts().size());
    }

    @Test
    void sessionKeyNamingAnotherUserIsDropped() throws Exception {
        sendCompletingOne(
                chat("run-other", 1, "final", "agent:ai-bot:collavre:43:creative:100", "not yours"),
                chat("run-mine", 1, "final", KEY, "yours"));
        assertEquals("yours", collavre.awaitPost(WAIT).json().getString("content"));
        assertEquals(1, collavre.posts().size());
    }

    @Test
    void runIdsThatCannotBeTrustedAreIgnored() throws Exception {
        sendCompletingOne(
                chat("r".repeat(21), 1, "final", KEY, "too long"),
                chat("   ", 1, "final", KEY, "blank"),
                chat("r".repeat(20), 1, "final", KEY, "just right"));
        assertEquals("just right", collavre.awaitPost(WAIT).json().getString("content"));
        assertEquals(1, collavre.posts().size());
    }

    @Test
    void framesOverTheSizeCapAreDropped() throws Exception {
        // Had the big delta been buffered, the empty final would post its text.
        sendCompletingOne(chat("run-big", 1, "delta", KEY, "x".repeat(MAX_FRAME_CHARS)),
                chat("run-big", 2, "final", KEY, null));
        assertTrue(collavre.posts().isEmpty());
        sendCompletingOne(chat("run-small", 1, "delta", KEY, "x".repeat(MAX_FRAME_CHARS / 2)),
                chat("run-small", 2, "final", KEY, null));
        assertEquals(MAX_FRAME_CHARS / 2, collavre.awaitPost(WAIT).json().getString("content").length());
    }
}
