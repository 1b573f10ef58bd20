package io.collavre.openclaw.bridge.delivery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.collavre.openclaw.bridge.collavre.DeliveryBacklog;
import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Reply;
import io.collavre.openclaw.bridge.testing.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scaled-down Collavre outage (the benchmark's soak runs the long one): Collavre holds every post while many more
 * runs complete than may wait for it. The Gateway reader never waits (a run started during the outage is buffered
 * while the posts still hang), at most max-posts-in-flight posts are made, the runs past max-waiting-runs go to the
 * dead letter store at once, and once Collavre is back and the letters are replayed every run is delivered exactly
 * once with its text.
 */
class CollavreOutageTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final int POSTS_IN_FLIGHT = 4;
    static final int MAX_WAITING = 40;
    static final int RUNS = 400;

    @TempDir
    Path data;

    private BridgeFixture fixture;
    private DeadLetters letters;

    @BeforeEach
    void start() throws Exception {
        fixture = BridgeFixture.start(Map.of(
                "bridge.data-dir", data.toString(),
                "deadletter.replay-poll-ms", "100",
                "collavre.max-posts-in-flight", String.valueOf(POSTS_IN_FLIGHT),
                "collavre.max-waiting-runs", String.valueOf(MAX_WAITING)));
        letters = new DeadLetters(data.resolve("dead-letters"));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void collavreHoldingEveryPostStallsNoReaderAndLosesNoRun() throws Exception {
        CountDownLatch outage = new CountDownLatch(1);
        List<Reply> held = new ArrayList<>();
        for (int i = 0; i < POSTS_IN_FLIGHT; i++) {
            held.add(Reply.heldUntil(outage));
        }
        fixture.collavre.respond(held.toArray(Reply[]::new));
        try {
            List<String> frames = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                frames.add(chat("run-" + i, 1, "delta", KEY, "text of run " + i));
                frames.add(chat("run-" + i, 2, "final", KEY, null));
            }
            fixture.send(frames);

            // Posts in flight stop at the bound; the runs past the backlog's bound are written down at once.
            await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.posts().size() == POSTS_IN_FLIGHT);
            await().atMost(BridgeFixture.WAIT).until(() -> letters.files().size() == RUNS - MAX_WAITING);
            assertEquals("backlog-full", DeadLetters.json(letters.files().get(0)).getString("reason"));
            assertEquals(RUNS - MAX_WAITING, deadLettersCounted("backlog-full"));
            DeliveryBacklog backlog = fixture.context().getRegistry().lookupByNameAndType("collavreBacklog",
                    DeliveryBacklog.class);
            assertEquals(MAX_WAITING, backlog.getWaitingRuns());

            // The reader is not held up by the hanging posts: a new run's frames are taken in and buffered.
            fixture.send(chat("run-during-outage", 1, "delta", KEY, "started while Collavre hangs"));
            assertTrue(fixture.isBuffered("run-during-outage"));
            assertEquals(1, outage.getCount(), "the posts still hang");
            assertEquals(POSTS_IN_FLIGHT, fixture.collavre.posts().size(), "no post beyond the bound");
        } finally {
            outage.countDown();
        }

        // Collavre is back: the waiting runs are delivered, then the dead letters are replayed.
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.accepted().size() == MAX_WAITING);
        for (Path letter : letters.files()) {
            letters.replay(letter);
        }
        fixture.sendCompleting(1, chat("run-during-outage", 2, "final", KEY, null));
        await().atMost(BridgeFixture.WAIT).until(() -> fixture.collavre.accepted().size() == RUNS + 1);
        for (int i = 0; i < RUNS; i++) {
            assertEquals(1, fixture.collavre.acceptedFor("run-" + i).size(), "run-" + i + " delivered once");
            assertEquals("text of run " + i,
                    fixture.collavre.acceptedFor("run-" + i).get(0).json().getString("content"));
        }
        assertEquals("started while Collavre hangs",
                fixture.collavre.acceptedFor("run-during-outage").get(0).json().getString("content"));
        await().atMost(BridgeFixture.WAIT).until(() -> letters.files().isEmpty() && letters.replayFiles().isEmpty());
        assertEquals(0, fixture.context().getRegistry().lookupByNameAndType("collavreBacklog", DeliveryBacklog.class)
                .getWaitingRuns());
    }

    private double deadLettersCounted(String reason) {
        Counter counter = fixture.context().getRegistry().findSingleByType(MeterRegistry.class)
                .find("openclaw.bridge.dead.letters").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
