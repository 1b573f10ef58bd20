package io.collavre.openclaw.bridge.routes;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
import io.collavre.openclaw.bridge.testing.CapturedLogs;
import io.collavre.openclaw.bridge.testing.CollavreReceiver.Reply;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gateway text never forges a log line: a runId, state, errorMessage or session key holding line breaks, NUL, ANSI
 * escapes or a right-to-left override reaches the log escaped, in the one line of its decision, whether a route's
 * log step or a bean writes it.
 */
class LogInjectionTest {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100";
    static final String FORGED = "2030-01-01T00:00:00,000 ERROR [forged] collavre-delivery - runId=FORGED outcome=dispatched status=200";
    static final String HOSTILE_RUN_ID = "run-evil\n" + FORGED;
    static final String HOSTILE_TEXT = "boom\u0000\u001b[31mred\u202Edesrever\r\nsecond line";

    @TempDir
    Path data;

    private BridgeFixture fixture;
    private CapturedLogs logged;

    @BeforeEach
    void start() throws Exception {
        logged = CapturedLogs.warnings();
        fixture = BridgeFixture.start(Map.of("bridge.data-dir", data.toString(),
                "collavre.redelivery.max-redeliveries", "0"));
    }

    @AfterEach
    void stop() {
        fixture.close();
        logged.close();
    }

    @Test
    void anErrorEventWithAHostileRunIdAndErrorMessageIsLoggedInOneEscapedLine() throws Exception {
        fixture.send(errorEvent(HOSTILE_RUN_ID, HOSTILE_TEXT));

        List<String> lines = linesAbout("state=error");
        assertEquals(1, lines.size(), "one line for the decision: " + lines);
        assertTrue(lines.get(0).contains("runId=run-evil\\n2030-01-01T00:00:00,000 ERROR [forged]"), lines.get(0));
        assertTrue(lines.get(0).contains("boom\\u0000\\u001B[31mred\\u202Edesrever\\r\\nsecond line"), lines.get(0));
        assertAllLinesSafe();
    }

    @Test
    void aHostileStateAndSessionKeyAreEscapedToo() throws Exception {
        fixture.send(chat("run-other-user", 1, "delta\n" + FORGED, "agent:bot:collavre:43:creative:1\n" + FORGED, "x"));

        List<String> lines = linesAbout("session-key-names-another-user");
        assertEquals(1, lines.size(), "one line for the decision: " + lines);
        assertTrue(lines.get(0).contains("state=delta\\n2030-01-01"), lines.get(0));
        assertAllLinesSafe();
    }

    @Test
    void aBeanLoggingAHostileRunIdEscapesItAsTheRoutesDo() throws Exception {
        fixture.collavre.respond(Reply.status(400, "no"));
        fixture.sendCompleting(1, chat(HOSTILE_RUN_ID, 1, "final", KEY, "text"));

        // CollavreRetryPolicy (a bean) and dead-letter-store (a route) both speak of the refused post.
        await().atMost(BridgeFixture.WAIT).until(() -> linesAbout("outcome=dead-lettered").size() == 1);
        List<String> policy = linesAbout("outcome=not-retrying");
        assertEquals(1, policy.size(), "one line from the retry policy: " + policy);
        assertTrue(policy.get(0).contains("runId=run-evil\\n2030-01-01"), policy.get(0));
        assertAllLinesSafe();
    }

    private List<String> linesAbout(String decision) {
        return logged.lines().stream().filter(l -> l.contains(decision)).toList();
    }

    private void assertAllLinesSafe() {
        for (String line : logged.lines()) {
            assertFalse(line.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0 || c == 0x1B || c == 0x202E),
                    "raw control or bidi character in: " + line.replace("\n", "<LF>").replace("\r", "<CR>"));
            assertFalse(line.startsWith("2030-01-01") || line.contains("\n2030-01-01"), line);
        }
    }

    private static String errorEvent(String runId, String errorMessage) {
        JsonObject payload = new JsonObject().put("runId", runId).put("state", "error").put("sessionKey", KEY)
                .put("errorMessage", errorMessage);
        return new JsonObject().put("type", "event").put("event", "chat").put("payload", payload).encode();
    }
}
