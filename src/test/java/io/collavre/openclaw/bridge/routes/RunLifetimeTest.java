package io.collavre.openclaw.bridge.routes;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.collavre.openclaw.bridge.dedup.ExpiringIdempotentRepository;
import io.collavre.openclaw.bridge.testing.BridgeTestSupport;
import org.junit.jupiter.api.Test;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffer TTL and dedup TTL, with the TTLs shortened to seconds so the test can watch them pass. */
class RunLifetimeTest extends BridgeTestSupport {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final Duration WAIT = Duration.ofSeconds(15);
    static final int BUFFER_TTL_SECONDS = 3;
    static final int DEDUP_TTL_SECONDS = 2;

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "proactive.buffer-ttl-seconds", String.valueOf(BUFFER_TTL_SECONDS),
                "proactive.sweep-interval-seconds", "1",
                "proactive.dedup-ttl-seconds", String.valueOf(DEDUP_TTL_SECONDS));
    }

    @Test
    void staleBufferIsPurgedAfterTheTtlWhileAFreshOneSurvives() throws Exception {
        fixture.send(chat("run-stale", 1, "delta", KEY, "never finished"));
        long staleSentAt = System.nanoTime();
        // The fresh run starts half a TTL later, so it must outlive the stale one by that much.
        Thread.sleep(TimeUnit.SECONDS.toMillis(BUFFER_TTL_SECONDS) / 2);
        fixture.send(chat("run-fresh", 1, "delta", KEY, "still going"));

        await().atMost(WAIT).until(() -> !fixture.isBuffered("run-stale"));
        long purgedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - staleSentAt);
        assertTrue(fixture.isBuffered("run-fresh"), "the fresh buffer survives the sweep that purged the stale one");
        assertTrue(purgedAfterMs >= TimeUnit.SECONDS.toMillis(BUFFER_TTL_SECONDS),
                "purged only after the TTL, was " + purgedAfterMs + " ms");

        fixture.sendCompleting(2, chat("run-fresh", 2, "final", KEY, null), chat("run-stale", 2, "final", KEY, null));
        assertEquals(1, collavre.posts().size(), "the purged run was never dispatched");
        assertEquals("still going", collavre.postsFor("run-fresh").get(0).json().getString("content"));
    }

    @Test
    void runDispatchedAgainWithinTheDedupTtlIsSuppressedAndDispatchedAfterIt() throws Exception {
        ExpiringIdempotentRepository dispatched = fixture.bridge.context().getRegistry()
                .lookupByNameAndType("dispatchedRuns", ExpiringIdempotentRepository.class);

        // New seqs each time, so that the duplicate-frame filter lets them through and the dedup TTL decides.
        fixture.sendCompleting(1, chat("run-dup", 1, "delta", KEY, "once"), chat("run-dup", 2, "final", KEY, null));
        fixture.sendCompleting(1, chat("run-dup", 3, "final", KEY, "once"));
        fixture.sendCompleting(1, chat("run-dup", 4, "delta", KEY, "once"), chat("run-dup", 5, "final", KEY, null));
        assertEquals(1, collavre.postsFor("run-dup").size(), "replays within the dedup TTL are suppressed");

        await().atMost(WAIT).until(() -> !dispatched.contains("run-dup"));
        fixture.sendCompleting(1, chat("run-dup", 6, "final", KEY, "once"));
        assertEquals(2, collavre.postsFor("run-dup").size(), "after the dedup TTL the run is dispatched again");
    }

    @Test
    void dedupMemoryStaysBounded() throws Exception {
        ExpiringIdempotentRepository dispatched = fixture.bridge.context().getRegistry()
                .lookupByNameAndType("dispatchedRuns", ExpiringIdempotentRepository.class);
        String[] finals = new String[20];
        for (int i = 0; i < finals.length; i++) {
            finals[i] = chat("run-bounded-" + i, 1, "final", KEY, "text " + i);
        }
        fixture.sendCompleting(finals.length, finals);
        assertTrue(dispatched.getSize() >= finals.length);
        await().atMost(WAIT).until(() -> dispatched.getSize() == 0);
        assertFalse(dispatched.contains("run-bounded-0"));
    }
}
