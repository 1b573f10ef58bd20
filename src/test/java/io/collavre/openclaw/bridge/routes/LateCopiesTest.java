package io.collavre.openclaw.bridge.routes;

import java.time.Duration;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeTestSupport;
import org.junit.jupiter.api.Test;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A copy of a delta that comes after the duplicate-frame memory has let go of it (a busy bridge forgets the oldest
 * keys first) still cannot change a run's text: its seq is behind the buffer's.
 */
class LateCopiesTest extends BridgeTestSupport {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    protected Map<String, String> settings() {
        // The duplicate-frame memory holds two keys: the frames of another run push the first delta's out.
        return Map.of("proactive.duplicate-frame-max-keys", "2");
    }

    @Test
    void aCopyTheDuplicateMemoryForgotLeavesTheRunsTextAsItIs() throws Exception {
        String first = chat("run-late", 1, "delta", KEY, "The");
        fixture.sendCompleting(2,
                first,
                chat("run-late", 2, "delta", KEY, "The quick"),
                chat("run-other", 1, "delta", KEY, "Meanwhile"),
                chat("run-other", 2, "final", KEY, "Meanwhile, elsewhere"),
                first,
                chat("run-late", 3, "final", KEY, null));

        assertEquals("The quick", collavre.acceptedFor("run-late").get(0).json().getString("content"));
        assertEquals("Meanwhile, elsewhere", collavre.acceptedFor("run-other").get(0).json().getString("content"));
        assertEquals(2, collavre.posts().size());
    }
}
