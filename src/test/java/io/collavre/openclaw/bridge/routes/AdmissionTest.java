package io.collavre.openclaw.bridge.routes;

import java.time.Duration;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.BridgeTestSupport;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import org.junit.jupiter.api.Test;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the bridge lets in, through the YAML routes: frames over the size cap, run ids that cannot be trusted,
 * session keys naming another user and repeated frames are dropped; the runs around them are not disturbed.
 */
class AdmissionTest extends BridgeTestSupport {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int MAX_FRAME_CHARS = 2000;

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "openclaw.gateway.max-frame-chars", String.valueOf(MAX_FRAME_CHARS),
                "proactive.max-run-id-chars", "20",
                // Long enough that a slow machine never lets a copy through to the parse.
                "openclaw.gateway.repeated-frame-window-ms", "30000");
    }

    /** Not JSON: every copy of it that is parsed logs a frame=malformed line. */
    static final String MALFORMED = "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":";

    static long malformedLines(CapturedLogs logged) {
        return logged.lines().stream().filter(line -> line.contains("frame=malformed")).count();
    }

    /** Sends the frames, the last of which completes a run, and waits until that run's dispatch is decided. */
    void sendCompletingOne(String... sent) throws InterruptedException {
        fixture.sendCompleting(1, sent);
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
    void anExactCopyOfAFrameIsDroppedBeforeItIsParsed() throws Exception {
        try (CapturedLogs logged = CapturedLogs.warnings()) {
            fixture.send(MALFORMED, MALFORMED);
            assertEquals(1, malformedLines(logged), "only the first copy was parsed: " + logged.lines());
        }
    }

    @Test
    void withNoRepeatedFrameWindowEveryCopyIsParsed() throws Exception {
        try (BridgeFixture unwindowed = BridgeFixture.start(Map.of("openclaw.gateway.repeated-frame-window-ms", "0"));
             CapturedLogs logged = CapturedLogs.warnings()) {
            unwindowed.send(MALFORMED, MALFORMED);
            assertEquals(2, malformedLines(logged), logged.lines().toString());
        }
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
