package io.collavre.openclaw.bridge.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.collavre.openclaw.bridge.collavre.CollavreRequestHeaders;
import io.collavre.openclaw.bridge.testing.BridgeRunner;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Post;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Reply;
import io.collavre.openclaw.bridge.testing.DeadLetters;
import io.collavre.openclaw.bridge.testing.FramesProcessed;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.vertx.core.json.JsonObject;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery to Collavre when it is down, failing, throttling, refusing or stuck, through the YAML routes, with a
 * real local HTTP server playing Collavre. Backoff is shortened to a tenth of a second.
 */
class DeliveryTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100:topic:200";
    static final String OTHER_KEY = "agent:ai-bot:collavre:43:creative:300";
    static final String TOKEN = "collavre-token-123";
    static final String SECRET = "signing-secret-456";
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path data;

    static GatewaySimulator gateway;
    static CollavreReceiver collavre;
    static BridgeRunner bridge;
    static FramesProcessed frames;
    static FramesProcessed otherFrames;
    static DeadLetters letters;
    static final AtomicInteger redeliveries = new AtomicInteger();

    @BeforeAll
    static void startAll() throws Exception {
        gateway = new GatewaySimulator(GatewaySimulator.freePort(), "gw-secret").start();
        collavre = new CollavreReceiver(AvailablePortFinder.getNextAvailable());
        // A second account, owned by user 43, on the same Gateway: its runs must not wait for account 42's.
        Path accounts = data.resolve("accounts.properties");
        Files.writeString(accounts, "other.owner-id = 43\nother.gateway-url = " + gateway.url()
                                    + "\nother.token = gw-secret\n");
        Map<String, String> settings = new HashMap<>();
        settings.put("openclaw.gateway.url", gateway.url());
        settings.put("openclaw.gateway.token", "gw-secret");
        settings.put("openclaw.gateway.owner-id", "42");
        settings.put("openclaw.accounts-file", accounts.toString());
        settings.put("collavre.url", collavre.url());
        settings.put("collavre.token", TOKEN);
        settings.put("collavre.signing-secret", SECRET);
        settings.put("collavre.response-timeout-ms", "3000");
        settings.put("collavre.redelivery.max-redeliveries", "8");
        settings.put("collavre.redelivery.initial-delay-ms", "100");
        settings.put("collavre.redelivery.max-delay-ms", "2000");
        settings.put("bridge.data-dir", data.toString());
        settings.put("deadletter.replay-poll-ms", "200");
        bridge = BridgeRunner.start(settings);
        bridge.context().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event.getType() == CamelEvent.Type.ExchangeRedelivery) {
                    redeliveries.incrementAndGet();
                }
            }
        });
        frames = FramesProcessed.install(bridge.context(), "gateway-connection-default");
        otherFrames = FramesProcessed.install(bridge.context(), "gateway-connection-other");
        letters = new DeadLetters(data.resolve("dead-letters"));
        await().atMost(WAIT).until(() -> gateway.handshakes() == 2);
    }

    @AfterAll
    static void stopAll() throws Exception {
        bridge.close();
        collavre.close();
        gateway.close();
    }

    @BeforeEach
    void clearReceiver() throws Exception {
        collavre.up();
        collavre.reset();
    }

    /** Sends frames to both accounts and waits until each connection processed all of them. */
    static void send(String... sent) throws InterruptedException {
        frames.reset();
        otherFrames.reset();
        for (String frame : sent) {
            gateway.send(frame);
        }
        frames.await(sent.length, WAIT);
        otherFrames.await(sent.length, WAIT);
    }

    static String run(String runId, String key, String text) {
        return chat(runId, 1, "final", key, text);
    }

    static void assertSignedAndAuthorized(Post post) {
        assertEquals("Bearer " + TOKEN, post.header("authorization"));
        String timestamp = post.header(CollavreRequestHeaders.TIMESTAMP_HEADER);
        assertNotNull(timestamp);
        assertEquals("sha256=" + CollavreRequestHeaders.signature(SECRET, timestamp, post.body()),
                post.header(CollavreRequestHeaders.SIGNATURE_HEADER));
    }

    @Test
    void collavreDownForAWhileThenUpGetsEveryRunOnceAndWhole() throws Exception {
        collavre.down();
        int before = redeliveries.get();
        send(chat("run-down-1", 1, "delta", KEY, "first "), chat("run-down-2", 1, "delta", KEY, "second "),
                chat("run-down-1", 2, "delta", KEY, "first run"), chat("run-down-2", 2, "delta", KEY, "second run"),
                chat("run-down-1", 3, "final", KEY, null), chat("run-down-2", 3, "final", KEY, null));
        // Both runs failed and were retried at least twice while nothing listened.
        await().atMost(WAIT).until(() -> redeliveries.get() - before >= 4);
        assertTrue(collavre.posts().isEmpty());

        collavre.up();
        await().atMost(WAIT).until(() -> collavre.accepted().size() == 2);
        assertEquals("first run", collavre.acceptedFor("run-down-1").get(0).json().getString("content"));
        assertEquals("second run", collavre.acceptedFor("run-down-2").get(0).json().getString("content"));
        for (Post post : collavre.posts()) {
            assertSignedAndAuthorized(post);
        }
        // Delivered means done: no attempt comes after the accepted one.
        assertTrue(letters.files().isEmpty());
        assertEquals(1, collavre.postsFor("run-down-1").size());
        assertEquals(1, collavre.postsFor("run-down-2").size());
    }

    @Test
    void serverErrorsAreRetriedWithTheSameIdempotencyKeyUntilAccepted() throws Exception {
        MeterRegistry metrics = bridge.context().getRegistry().findSingleByType(MeterRegistry.class);
        double retriesBefore = retries(metrics);
        collavre.respondWith(500, 503, 502);
        send(run("run-5xx", KEY, "after three failures"));

        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-5xx").size() == 1);
        List<Post> posts = collavre.postsFor("run-5xx");
        assertEquals(List.of(500, 503, 502, 200), posts.stream().map(Post::status).toList());
        assertEquals(3.0, retries(metrics) - retriesBefore, "each retry is counted");
        assertEquals(bridge.context().getName(), metrics.get("openclaw.bridge.collavre.retries").counter().getId()
                .getTag("camelContext"), "tagged with the Camel context, as the other meters are");
        for (Post post : posts) {
            assertEquals("run-5xx", post.header("idempotency-key"));
            assertEquals("after three failures", post.json().getString("content"));
            assertSignedAndAuthorized(post);
        }
        // Exponential backoff: each wait is longer than the one before.
        long first = Duration.between(posts.get(0).receivedAt(), posts.get(1).receivedAt()).toMillis();
        long third = Duration.between(posts.get(2).receivedAt(), posts.get(3).receivedAt()).toMillis();
        assertTrue(third > first, "backoff grows: " + first + " ms then " + third + " ms");
        assertTrue(letters.files().isEmpty());
    }

    @Test
    void tooManyRequestsWaitsAsLongAsRetryAfterSays() throws Exception {
        collavre.respond(Reply.tooManyRequests("1"));
        send(run("run-429", KEY, "throttled"));

        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-429").size() == 1);
        List<Post> posts = collavre.postsFor("run-429");
        assertEquals(List.of(429, 200), posts.stream().map(Post::status).toList());
        long waited = Duration.between(posts.get(0).receivedAt(), posts.get(1).receivedAt()).toMillis();
        // Without Retry-After the first retry comes after 100 ms.
        assertTrue(waited >= 950, "waited " + waited + " ms for Retry-After: 1");
    }

    static double deadLetters(MeterRegistry metrics) {
        return metrics.find("openclaw.bridge.dead.letters").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void retriesStopAtCollavreRedeliveryMaxRedeliveriesAndTheRunIsDeadLettered() throws Exception {
        // max-redeliveries is 8 here: the first attempt and 8 retries, then a dead letter; a tenth answer is never asked.
        collavre.respondWith(Collections.nCopies(10, 503).toArray(Integer[]::new));
        send(run("run-exhausted", KEY, "never taken"));

        await().atMost(Duration.ofSeconds(40)).until(() -> letters.files().size() == 1);
        Path file = letters.files().get(0);
        JsonObject letter = DeadLetters.json(file);
        assertEquals("run-exhausted", letter.getString("runId"));
        assertEquals("retries-exhausted", letter.getString("reason"));
        assertEquals(9, letter.getInteger("attempts"));
        assertEquals(9, collavre.postsFor("run-exhausted").size());
        Files.delete(file);
    }

    @Test
    void clientErrorGoesToTheDeadLetterStoreWithoutRetryAndWithoutSecrets() throws Exception {
        MeterRegistry metrics = bridge.context().getRegistry().findSingleByType(MeterRegistry.class);
        double deadLettersBefore = deadLetters(metrics);
        collavre.respond(Reply.status(400, "{\"error\":\"creative 100 is archived\"}"));
        send(run("run-400", KEY, "refused text"));

        await().atMost(WAIT).until(() -> letters.files().size() == 1);
        await().atMost(WAIT).until(() -> deadLetters(metrics) - deadLettersBefore == 1.0);
        assertEquals(1.0, metrics.find("openclaw.bridge.dead.letters").tag("account", "default")
                .tag("reason", "not-retryable").counter().count(), "dead letters are counted by account and reason");
        Path file = letters.files().get(0);
        JsonObject letter = DeadLetters.json(file);
        assertEquals("run-400", letter.getString("runId"));
        assertEquals("run-400", letter.getString("idempotencyKey"));
        assertEquals("not-retryable", letter.getString("reason"));
        assertEquals(400, letter.getInteger("status"));
        assertEquals("{\"error\":\"creative 100 is archived\"}", letter.getString("responseBody"));
        assertEquals(1, letter.getInteger("attempts"));
        assertEquals("refused text", letter.getJsonObject("payload").getString("content"));
        assertEquals(42, letter.getJsonObject("payload").getInteger("user_id"));
        assertEquals("run-400", letter.getJsonObject("headers").getString("Idempotency-Key"));
        assertTrue(letter.getString("error").contains("400"));
        assertNotNull(letter.getString("deadLetteredAt"));
        String text = DeadLetters.text(file);
        assertFalse(text.contains(TOKEN), "no bearer token in a dead letter");
        assertFalse(text.contains(SECRET), "no signing secret in a dead letter");
        assertFalse(text.toLowerCase().contains("authorization"), "no Authorization header in a dead letter");
        assertFalse(text.contains("sha256="), "no signature in a dead letter");
        // The letter is written once the exchange is done: there is no retry left to come.
        assertEquals(1, collavre.postsFor("run-400").size());

        Files.delete(file);
    }

    @Test
    void replayDeliversADeadLetterWithItsIdempotencyKeyOnceTheCauseIsFixed() throws Exception {
        collavre.respondWith(422);
        send(run("run-replay", KEY, "try me again"));
        await().atMost(WAIT).until(() -> letters.files().size() == 1);
        String original = collavre.postsFor("run-replay").get(0).body();

        // Still failing: the letter comes back to the store, its attempts added up.
        collavre.respondWith(500);
        String firstName = letters.files().get(0).getFileName().toString();
        letters.replay(letters.files().get(0));
        await().atMost(WAIT).until(() -> collavre.postsFor("run-replay").size() == 2
                                          && letters.files().size() == 1 && letters.replayFiles().isEmpty());
        Path letter = letters.files().get(0);
        assertTrue(letter.getFileName().toString().equals(firstName), "the letter keeps its file name");
        JsonObject failedAgain = DeadLetters.json(letter);
        assertEquals("replay-failed", failedAgain.getString("reason"));
        assertEquals(500, failedAgain.getInteger("status"));
        assertEquals(2, failedAgain.getInteger("attempts"));

        // Fixed: delivered with the same key and document, and gone from the store.
        letters.replay(letters.files().get(0));
        await().atMost(WAIT).until(() -> collavre.acceptedFor("run-replay").size() == 1);
        Post replayed = collavre.acceptedFor("run-replay").get(0);
        assertEquals("run-replay", replayed.header("idempotency-key"));
        assertEquals(new JsonObject(original), replayed.json());
        assertSignedAndAuthorized(replayed);
        await().atMost(WAIT).until(() -> letters.files().isEmpty() && letters.replayFiles().isEmpty());
    }

    @Test
    void aStuckPostStallsNeitherTheReaderNorOtherRunsNorOtherAccounts() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        collavre.respond(Reply.heldUntil(stuck));
        try {
            send(run("run-stuck", KEY, "slow one"));
            await().atMost(WAIT).until(() -> collavre.postsFor("run-stuck").size() == 1);

            // While that post hangs, the same account's reader goes on and other runs of both accounts get through.
            send(chat("run-next", 1, "delta", KEY, "next "), chat("run-next", 2, "final", KEY, "next run"),
                    run("run-other-account", OTHER_KEY, "other account"));
            await().atMost(WAIT).until(() -> collavre.acceptedFor("run-next").size() == 1
                                              && collavre.acceptedFor("run-other-account").size() == 1);
            assertEquals(1, stuck.getCount(), "the stuck post is still waiting");
            assertEquals(43, collavre.acceptedFor("run-other-account").get(0).json().getInteger("user_id"));
        } finally {
            stuck.countDown();
        }
    }

    @Test
    void aPostThatTimesOutIsRetried() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        collavre.respond(Reply.heldUntil(hold));
        try {
            send(run("run-timeout", KEY, "answer late"));
            // The first post gets no answer within the response timeout (3 s): a second one follows.
            await().atMost(WAIT).until(() -> collavre.postsFor("run-timeout").size() == 2);
            Post retry = collavre.postsFor("run-timeout").get(1);
            assertEquals(200, retry.status());
            assertEquals("run-timeout", retry.header("idempotency-key"));
        } finally {
            hold.countDown();
        }
    }

    /** Retries counted for the default account (any other tags, such as camelContext, aside). */
    private static double retries(MeterRegistry metrics) {
        Counter counter = metrics.find("openclaw.bridge.collavre.retries")
                .tag("account", "default").counter();
        return counter == null ? 0 : counter.count();
    }
}
