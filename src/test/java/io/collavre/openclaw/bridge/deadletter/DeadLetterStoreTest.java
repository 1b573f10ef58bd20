package io.collavre.openclaw.bridge.deadletter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.collavre.CollavreRequestHeaders;
import io.vertx.core.json.JsonObject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterStoreTest {

    private static final String PAYLOAD = "{\"type\":\"proactive\",\"content\":\"hello\",\"run_id\":\"run/1\"}";

    @TempDir
    Path dir;

    private CamelContext context;
    private DeadLetterStore store;

    @BeforeEach
    void setUp() throws Exception {
        context = new DefaultCamelContext();
        store = new DeadLetterStore(Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC));
        store.setDir(dir.toString());
        store.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        store.stop();
        context.close();
    }

    private Exchange failedPost() {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BridgeHeaders.RUN_ID, "run/1");
        exchange.setProperty(CollavreRequestHeaders.IDEMPOTENCY_KEY, "run/1");
        exchange.setProperty(DeadLetterStore.PAYLOAD, PAYLOAD);
        exchange.setProperty(CollavreRequestHeaders.ATTEMPTS, 1);
        exchange.getMessage().setHeader("Content-Type", "application/json");
        exchange.getMessage().setHeader("Idempotency-Key", "run/1");
        exchange.getMessage().setHeader("Authorization", "Bearer top-secret-token");
        exchange.getMessage().setHeader(CollavreRequestHeaders.SIGNATURE_HEADER, "sha256=abcdef");
        exchange.getMessage().setHeader(CollavreRequestHeaders.TIMESTAMP_HEADER, "1748779200");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new HttpOperationFailedException(
                "http://user:pw@collavre.test/x?password=hunter2", 400, "Bad Request", null, Map.of(), "{\"error\":\"no\"}"));
        return exchange;
    }

    @Test
    void aLetterHoldsWhatIsNeededToPostAgainAndNoSecret() throws Exception {
        Path file = store.store(failedPost());

        assertEquals(dir, file.getParent());
        assertTrue(file.getFileName().toString().startsWith("20250601T120000000Z-run_1-"), file.toString());
        String text = Files.readString(file);
        JsonObject letter = new JsonObject(text);
        assertEquals("run/1", letter.getString("idempotencyKey"));
        assertEquals(new JsonObject(PAYLOAD), letter.getJsonObject("payload"));
        assertEquals(400, letter.getInteger("status"));
        assertEquals("{\"error\":\"no\"}", letter.getString("responseBody"));
        assertEquals("not-retryable", letter.getString("reason"));
        assertEquals(1, letter.getInteger("attempts"));
        assertEquals("2025-06-01T12:00:00Z", letter.getString("deadLetteredAt"));
        assertEquals(new JsonObject().put("Content-Type", "application/json").put("Idempotency-Key", "run/1")
                .put(CollavreRequestHeaders.TIMESTAMP_HEADER, "1748779200"), letter.getJsonObject("headers"));
        assertFalse(text.contains("top-secret-token"));
        assertFalse(text.contains("sha256=abcdef"));
        assertFalse(text.contains("hunter2"), "credentials in the URL are masked");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count(),
                    "no temporary file left");
        }
    }

    @Test
    void aLoadedLetterGivesTheReplayItsPayloadAndKey() throws Exception {
        Path file = store.store(failedPost());
        Exchange replay = new DefaultExchange(context);
        replay.getMessage().setBody(Files.readString(file));
        replay.getMessage().setHeader(Exchange.FILE_NAME_ONLY, file.getFileName().toString());

        store.load(replay);

        assertEquals(new JsonObject(PAYLOAD), new JsonObject(replay.getProperty(DeadLetterStore.PAYLOAD, String.class)));
        assertEquals("run/1", replay.getProperty(CollavreRequestHeaders.IDEMPOTENCY_KEY));

        replay.setProperty(CollavreRequestHeaders.ATTEMPTS, 1);
        replay.setProperty(Exchange.EXCEPTION_CAUGHT, new java.net.ConnectException("refused"));
        Path back = store.replayFailed(replay);
        assertEquals(file, back, "the letter goes back under its own name");
        JsonObject letter = new JsonObject(Files.readString(back));
        assertEquals("replay-failed", letter.getString("reason"));
        assertEquals(2, letter.getInteger("attempts"));
        assertEquals(null, letter.getValue("status"));
    }
}
