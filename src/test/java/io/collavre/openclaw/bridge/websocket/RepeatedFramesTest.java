package io.collavre.openclaw.bridge.websocket;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepeatedFramesTest {

    static final long MS = 1_000_000L;
    static final String FRAME = "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":\"r1\",\"seq\":1}}";

    @Test
    void anIdenticalFrameWithinTheWindowIsARepeat() {
        RepeatedFrames frames = new RepeatedFrames(1000);
        assertFalse(frames.isRepeat(FRAME, 0));
        frames.remember(FRAME, 0);
        assertTrue(frames.isRepeat(new String(FRAME.toCharArray()), 1000 * MS), "equal text, another String");
        assertFalse(frames.isRepeat(FRAME.replace("\"seq\":1", "\"seq\":2"), 10 * MS), "same length, other text");
        assertFalse(frames.isRepeat(FRAME + " ", 10 * MS));
    }

    @Test
    void aFrameIsForgottenAfterTheWindow() {
        RepeatedFrames frames = new RepeatedFrames(1000);
        frames.remember(FRAME, 5 * MS);
        assertTrue(frames.isRepeat(FRAME, 1005 * MS));
        assertFalse(frames.isRepeat(FRAME, 1006 * MS));
    }

    @Test
    void onlyTheLastFramesAreRemembered() {
        RepeatedFrames frames = new RepeatedFrames(1000);
        frames.remember(FRAME, 0);
        for (int i = 0; i < RepeatedFrames.FRAMES - 1; i++) {
            frames.remember("other-" + i, 0);
        }
        assertTrue(frames.isRepeat(FRAME, 0), "still among the last " + RepeatedFrames.FRAMES);
        frames.remember("one more", 0);
        assertFalse(frames.isRepeat(FRAME, 0), "pushed out by the newer frames");
    }

    @Test
    void longFramesAreNotRemembered() {
        RepeatedFrames frames = new RepeatedFrames(1000);
        String atTheLimit = "x".repeat(RepeatedFrames.MAX_CHARS);
        String over = "y".repeat(RepeatedFrames.MAX_CHARS + 1);
        frames.remember(atTheLimit, 0);
        frames.remember(over, 0);
        assertTrue(frames.isRepeat(atTheLimit, 0));
        assertFalse(frames.isRepeat(over, 0));
    }

    @Test
    void aWindowOfZeroRemembersNothing() {
        RepeatedFrames frames = new RepeatedFrames(0);
        frames.remember(FRAME, 0);
        assertFalse(frames.isRepeat(FRAME, 0));
        assertThrows(IllegalArgumentException.class, () -> new RepeatedFrames(-1));
    }
}
