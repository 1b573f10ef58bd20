package io.collavre.openclaw.bridge.routes;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeTestSupport;
import io.collavre.openclaw.bridge.testing.CollavreReceiver;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Post;
import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The original handler's behaviour, through the YAML routes as Camel Main loads them, between a real local
 * WebSocket server playing the Gateway and a real local HTTP server playing Collavre.
 */
class ProactiveFlowTest extends BridgeTestSupport {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100:topic:200";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int MAX_FRAME_CHARS = 100_000;

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "collavre.token", "collavre-secret",
                "openclaw.gateway.max-frame-chars", String.valueOf(MAX_FRAME_CHARS));
    }

    static String chat(String runId, Integer seq, String state, String key, Object content) {
        return GatewaySimulator.chat(runId, seq, state, key, content);
    }

    @Test
    void handshakeAnswersTheChallengeWithProtocol3ConnectRequest() throws Exception {
        JsonObject connect = gateway.awaitConnectRequest(WAIT);
        JsonObject params = connect.getJsonObject("params");
        assertEquals(3, params.getInteger("minProtocol"));
        assertEquals(3, params.getInteger("maxProtocol"));
        assertEquals("gateway-client", params.getJsonObject("client").getString("id"));
        assertEquals("java", params.getJsonObject("client").getString("platform"));
        assertEquals("backend", params.getJsonObject("client").getString("mode"));
        assertEquals("operator", params.getString("role"));
        assertEquals(List.of("operator.read", "operator.write"), params.getJsonArray("scopes").getList());
        assertEquals("gw-secret", params.getJsonObject("auth").getString("token"));
        assertFalse(params.containsKey("device"), "no partial device object");
        assertEquals(1, gateway.establishedConnections(), "one connection, answered on the same socket");
    }

    @Test
    void deltasAreBufferedByRunIdUntilTheFinal() throws Exception {
        fixture.send(chat("run-buf", 1, "delta", KEY, "Hello"), chat("run-buf", 2, "delta", KEY, " world"));
        assertTrue(fixture.isBuffered("run-buf"));
        assertTrue(collavre.postsFor("run-buf").isEmpty(), "nothing dispatched before the final");

        fixture.sendCompleting(1, chat("run-buf", 3, "final", KEY, null));
        assertEquals("Hello world", collavre.awaitPost(WAIT).json().getString("content"));
        assertFalse(fixture.isBuffered("run-buf"), "buffer cleared after the final");
    }

    @Test
    void finalAfterDeltasDispatchesOnceWithTheExactPayloadAndHeaders() throws Exception {
        fixture.sendCompleting(1,
                chat("run-exact", 1, "delta", KEY, "Reminder: "),
                chat("run-exact", 2, "delta", KEY, "stand-up at ten"),
                chat("run-exact", 3, "final", KEY, null));

        Post post = collavre.awaitPost(WAIT);
        assertEquals("POST", post.method());
        assertEquals(CollavreReceiver.PATH, post.path());
        assertEquals(new JsonObject("""
                {"type":"proactive","user_id":42,"content":"Reminder: stand-up at ten","creative_id":100,
                 "context":{"creative_id":100,"thread_id":200},"run_id":"run-exact","agent_id":"ai-bot",
                 "session_key":"agent:ai-bot:collavre:42:creative:100:topic:200"}"""), post.json());
        assertTrue(post.header("content-type").startsWith("application/json"));
        assertEquals("run-exact", post.header("idempotency-key"));
        assertEquals("Bearer collavre-secret", post.header("authorization"));
        assertNull(post.header("runid"), "pipeline headers do not leak to Collavre");
        assertNull(post.header("sessionkey"), "pipeline headers do not leak to Collavre");
        assertEquals(1, collavre.postsFor("run-exact").size());
    }

    @Test
    void finalOnlyRunIsDispatchedWithItsOwnText() throws Exception {
        fixture.sendCompleting(1, chat("run-final-only", 7, "final", KEY, "Your daily digest is ready"));
        assertEquals("Your daily digest is ready", collavre.awaitPost(WAIT).json().getString("content"));
    }

    @Test
    void finalTextWinsOverTheBufferWhenNotEmpty() throws Exception {
        fixture.sendCompleting(1, chat("run-final-wins", 1, "delta", KEY, "draft"),
                chat("run-final-wins", 2, "final", KEY, "the real answer"));
        assertEquals("the real answer", collavre.awaitPost(WAIT).json().getString("content"));
    }

    @Test
    void runWithoutCreativeIsNotDispatched() throws Exception {
        fixture.sendCompleting(1, chat("run-no-creative", 1, "delta", "agent:bot:collavre:42", "hi"),
                chat("run-no-creative", 2, "final", "agent:bot:collavre:42", null));
        assertTrue(collavre.posts().isEmpty());
        assertFalse(fixture.isBuffered("run-no-creative"));
    }

    @Test
    void runWithEmptyContentIsNotDispatched() throws Exception {
        fixture.sendCompleting(1, chat("run-empty", 1, "final", KEY, "   "));
        fixture.sendCompleting(1, chat("run-no-message", 1, "final", KEY, null));
        assertTrue(collavre.posts().isEmpty());
    }

    @Test
    void errorDropsTheBufferAndDispatchesNothing() throws Exception {
        fixture.send(chat("run-error", 1, "delta", KEY, "partial"));
        assertTrue(fixture.isBuffered("run-error"));
        fixture.send(new JsonObject(chat("run-error", 2, "error", KEY, null)).put("payload",
                new JsonObject(chat("run-error", 2, "error", KEY, null)).getJsonObject("payload")
                        .put("errorMessage", "model overloaded")).encode());
        assertFalse(fixture.isBuffered("run-error"));
        // A late final with no text of its own finds no buffer, so there is nothing to send.
        fixture.sendCompleting(1, chat("run-error", 3, "final", KEY, null));
        assertTrue(collavre.posts().isEmpty());
    }

    @Test
    void abortedDropsTheBufferAndDispatchesNothing() throws Exception {
        fixture.send(chat("run-aborted", 1, "delta", KEY, "partial"), chat("run-aborted", 2, "aborted", KEY, null));
        assertFalse(fixture.isBuffered("run-aborted"));
        fixture.sendCompleting(1, chat("run-aborted", 3, "final", KEY, null));
        assertTrue(collavre.posts().isEmpty());
    }

    @Test
    void arrayContentTextPartsAreJoinedWithoutSeparator() throws Exception {
        fixture.sendCompleting(1, chat("run-parts", 1, "final", KEY, List.of(
                Map.of("type", "text", "text", "Hello, "),
                Map.of("type", "image", "url", "http://example.invalid/x.png"),
                Map.of("type", "text", "text", "world"))));
        assertEquals("Hello, world", collavre.awaitPost(WAIT).json().getString("content"));
    }

    @Test
    void eventWithoutRunIdIsIgnored() throws Exception {
        int before = fixture.openBuffers();
        fixture.send(chat(null, 1, "delta", KEY, "orphan"), chat(null, 2, "final", KEY, "orphan"));
        assertEquals(before, fixture.openBuffers());
        assertTrue(collavre.posts().isEmpty());
    }

    @Test
    void interleavedRunsAreBufferedAndDispatchedIndependently() throws Exception {
        String keyB = "agent:ai-bot:collavre:42:creative:101";
        fixture.sendCompleting(2,
                chat("run-a", 1, "delta", KEY, "Alpha "),
                chat("run-b", 1, "delta", keyB, "Beta "),
                chat("run-a", 2, "delta", KEY, "one"),
                chat("run-b", 2, "delta", keyB, "two"),
                chat("run-b", 3, "final", keyB, null),
                chat("run-a", 3, "final", KEY, null));
        assertEquals("Alpha one", collavre.postsFor("run-a").get(0).json().getString("content"));
        JsonObject b = collavre.postsFor("run-b").get(0).json();
        assertEquals("Beta two", b.getString("content"));
        assertEquals(101, b.getInteger("creative_id"));
        assertNull(b.getJsonObject("context").getValue("thread_id"));
        assertEquals(2, collavre.posts().size());
    }

    @Test
    void cumulativeDeltasGiveTheLatestFullText() throws Exception {
        fixture.sendCompleting(1,
                chat("run-cumulative", 1, "delta", KEY, "The"),
                chat("run-cumulative", 2, "delta", KEY, "The quick"),
                chat("run-cumulative", 3, "delta", KEY, "The quick brown fox"),
                chat("run-cumulative", 4, "final", KEY, null));
        assertEquals("The quick brown fox", collavre.awaitPost(WAIT).json().getString("content"));
    }

    @Test
    void malformedAndUnknownFramesAreDroppedWithoutHarmToOtherRuns() throws Exception {
        fixture.send(chat("run-survivor", 1, "delta", KEY, "still "));
        fixture.send("{not json", "[1,2,3]", "\"just a string\"", "{\"type\":\"event\",\"event\":\"presence\"}",
                chat("run-weird", 1, "thinking", KEY, "?"),
                "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":{\"nested\":1},\"state\":\"final\"}}",
                "{\"type\":\"event\",\"event\":\"chat\"}",
                "{\"type\":\"event\",\"event\":\"chat\",\"payload\":\"just text\"}",
                "{\"type\":\"event\",\"event\":\"chat\",\"payload\":[1,2]}",
                "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":\"run-odd\",\"state\":5,\"message\":\"str\"}}",
                "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":\"run-odd\",\"state\":\"final\",\"sessionKey\":42,\"message\":[\"x\"]}}",
                "{\"type\":\"res\",\"id\":\"unexpected\",\"ok\":true}",
                chat("x".repeat(500), 1, "final", KEY, "run id too long"));
        fixture.sendCompleting(1, chat("run-survivor", 2, "delta", KEY, "here"), chat("run-survivor", 3, "final", KEY, null));
        assertEquals("still here", collavre.awaitPost(WAIT).json().getString("content"));
        assertEquals(1, collavre.posts().size());
        assertEquals(1, gateway.establishedConnections(), "the connection stays up");
    }

    @Test
    void hostileSessionKeysAreNeverDispatched() throws Exception {
        fixture.sendCompleting(3,
                chat("run-hostile-1", 1, "final", "agent:x:collavre:42:creative:1e9", "text"),
                chat("run-hostile-2", 1, "final", "creative:" + "9".repeat(40), "text"),
                chat("run-hostile-3", 1, "final", "agent:x:creative:" + "1:".repeat(2000), "text"));
        assertTrue(collavre.posts().isEmpty());
    }

    @Test
    void oversizedFrameIsDroppedAndTheConnectionStaysUp() throws Exception {
        fixture.send(chat("run-huge", 1, "delta", KEY, "x".repeat(MAX_FRAME_CHARS + 1)));
        assertFalse(fixture.isBuffered("run-huge"));
        fixture.sendCompleting(1, chat("run-after-huge", 1, "final", KEY, "fine"));
        assertEquals("fine", collavre.awaitPost(WAIT).json().getString("content"));
        assertEquals(1, gateway.establishedConnections());
    }
}
