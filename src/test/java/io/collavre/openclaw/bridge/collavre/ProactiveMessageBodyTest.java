package io.collavre.openclaw.bridge.collavre;

import java.time.Instant;
import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.chat.SessionKey;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProactiveMessageBodyTest {

    private final CamelContext context = new DefaultCamelContext();
    private final ProactiveMessageBody body = new ProactiveMessageBody();

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private Exchange completed(String sessionKey) {
        RunBuffer run = new RunBuffer("run-9", "42", sessionKey, Instant.EPOCH);
        run.mergeDelta("Reminder");
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(run);
        return exchange;
    }

    @Test
    void theDocumentUsesTheSessionKeyTheDispatchParsed() {
        Exchange exchange = completed("agent:bot:collavre:42:creative:100");
        // What collavre-dispatch put there is used as it is, not parsed again.
        exchange.setProperty("sessionKey", new SessionKey("bot", 42L, 555L, null));

        Map<?, ?> document = body.evaluate(exchange, Map.class);

        assertEquals(555L, document.get("creative_id"));
        assertEquals("Reminder", document.get("content"));
        assertEquals("run-9", document.get("run_id"));
    }

    @Test
    void withoutAParsedSessionKeyTheRunsOwnIsParsed() {
        Exchange exchange = completed("agent:bot:collavre:42:creative:100");
        RunBuffer run = exchange.getMessage().getBody(RunBuffer.class);
        Map<?, ?> document = body.evaluate(exchange, Map.class);
        assertEquals(ProactiveMessage.of(run), document);
        assertEquals(100L, document.get("creative_id"));
    }

    @Test
    void aBodyThatIsNotARunFailsWithoutShowingIt() {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody("a user's words");
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> body.evaluate(exchange));
        assertTrue(failure.getMessage().contains("java.lang.String"), failure.getMessage());
        assertFalse(failure.getMessage().contains("a user's words"), failure.getMessage());
    }
}
