package io.collavre.openclaw.bridge.delivery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.testing.BridgeTestSupport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile input against the caps on open buffers and on one buffer's text, set small here. */
class BoundedBuffersTest extends BridgeTestSupport {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final int MAX_BUFFERS = 10;
    static final int MAX_CHARS = 100;

    @TempDir
    static Path data;

    RunBufferRepository buffers;

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "bridge.data-dir", data.toString(),
                "proactive.max-open-buffers", String.valueOf(MAX_BUFFERS),
                "proactive.max-text-chars", String.valueOf(MAX_CHARS));
    }

    @BeforeAll
    void lookUpBuffers() {
        buffers = fixture.context().getRegistry().lookupByNameAndType("runBufferRepository", RunBufferRepository.class);
    }

    @Test
    void aFloodOfRunsThatNeverFinishStaysWithinTheBufferCap() throws Exception {
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 5 * MAX_BUFFERS; i++) {
            flood.add(chat("flood-" + i, 1, "delta", KEY, "flood text " + i));
            flood.add(chat("flood-" + i, 2, "delta", KEY, "flood text " + i + " more"));
        }
        double refusedBefore = refusedDeltas();
        fixture.send(flood);
        assertEquals(4 * MAX_BUFFERS * 2, refusedDeltas() - refusedBefore, "every refused delta is counted");
        assertEquals(MAX_BUFFERS, buffers.getOpenBuffers());
        assertEquals(MAX_BUFFERS, fixture.openBuffers());

        // The runs that got a buffer complete whole; the refused ones had nothing buffered and are not dispatched.
        List<String> finals = new ArrayList<>();
        for (int i = 0; i < 5 * MAX_BUFFERS; i++) {
            finals.add(chat("flood-" + i, 3, "final", KEY, null));
        }
        fixture.sendCompleting(5 * MAX_BUFFERS, finals);
        await().atMost(WAIT).until(() -> collavre.accepted().size() == MAX_BUFFERS);
        for (int i = 0; i < MAX_BUFFERS; i++) {
            assertEquals("flood text " + i + " more",
                    collavre.acceptedFor("flood-" + i).get(0).json().getString("content"));
        }
        assertEquals(0, buffers.getOpenBuffers());
        assertEquals(0, fixture.openBuffers());

        // With room again, a new run is buffered as usual.
        fixture.sendCompleting(1, List.of(chat("after-flood", 1, "delta", KEY, "room again"),
                chat("after-flood", 2, "final", KEY, null)));
        await().atMost(WAIT).until(() -> collavre.acceptedFor("after-flood").size() == 1);
    }

    private double refusedDeltas() {
        Counter refused = fixture.context().getRegistry().findSingleByType(MeterRegistry.class)
                .find("openclaw.bridge.frames.dropped").tag("reason", "buffer-cap").counter();
        return refused == null ? 0 : refused.count();
    }

    @Test
    void aRunWhoseTextGoesPastTheCapIsDroppedNeverTruncated() throws Exception {
        String x = "x";
        fixture.sendCompleting(3, List.of(
                // Cumulative deltas growing past the cap.
                chat("too-long-deltas", 1, "delta", KEY, x.repeat(60)),
                chat("too-long-deltas", 2, "delta", KEY, x.repeat(MAX_CHARS + 20)),
                chat("too-long-deltas", 3, "final", KEY, null),
                // A final that alone is past the cap.
                chat("too-long-final", 1, "final", KEY, x.repeat(MAX_CHARS + 1)),
                // Right at the cap: fine.
                chat("at-the-cap", 1, "delta", KEY, x.repeat(MAX_CHARS / 2)),
                chat("at-the-cap", 2, "delta", KEY, x.repeat(MAX_CHARS)),
                chat("at-the-cap", 3, "final", KEY, null)));

        await().atMost(WAIT).until(() -> collavre.acceptedFor("at-the-cap").size() == 1);
        assertEquals(x.repeat(MAX_CHARS), collavre.acceptedFor("at-the-cap").get(0).json().getString("content"));
        assertTrue(collavre.postsFor("too-long-deltas").isEmpty());
        assertTrue(collavre.postsFor("too-long-final").isEmpty());
        assertEquals(1, collavre.posts().size());
    }
}
