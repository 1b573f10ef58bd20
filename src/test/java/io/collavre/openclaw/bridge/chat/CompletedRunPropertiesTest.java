package io.collavre.openclaw.bridge.chat;

import java.time.Instant;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CompletedRunPropertiesTest {

    private final CamelContext context = new DefaultCamelContext();
    private final CompletedRunProperties properties = new CompletedRunProperties();

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private Exchange completed(RunBuffer run) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(run);
        exchange.getMessage().setHeader("account", "acct-1");
        return exchange;
    }

    private static RunBuffer run(String sessionKey, String text, int maxChars) {
        RunBuffer run = new RunBuffer("run-1", "42", sessionKey, Instant.EPOCH, maxChars);
        run.mergeDelta(text);
        return run;
    }

    @Test
    void aRunToDispatch() throws Exception {
        Exchange exchange = completed(run("agent:bot:collavre:42:creative:100:topic:7", "Stand-up at 10", 100));
        properties.process(exchange);

        assertEquals("run-1", exchange.getProperty("runId"));
        assertEquals("acct-1", exchange.getProperty("account"));
        assertEquals(new SessionKey("bot", 42L, 100L, 7L), exchange.getProperty("sessionKey"));
        assertEquals(Boolean.FALSE, exchange.getProperty("recovered"));
        assertEquals(Boolean.FALSE, exchange.getProperty("overflowed"));
        assertEquals(Boolean.TRUE, exchange.getProperty("hasCreative"));
        assertEquals(Boolean.FALSE, exchange.getProperty("textBlank"));
    }

    @Test
    void whatTheDispatchSkipsOrDrops() throws Exception {
        Exchange noCreative = completed(run("agent:bot:collavre:42", "text", 100));
        properties.process(noCreative);
        assertEquals(Boolean.FALSE, noCreative.getProperty("hasCreative"));

        Exchange blank = completed(run(null, "  \n", 100));
        properties.process(blank);
        assertEquals(Boolean.TRUE, blank.getProperty("textBlank"));
        assertEquals(SessionKey.EMPTY, blank.getProperty("sessionKey"));

        Exchange overflowed = completed(run("agent:bot:collavre:42:creative:1", "x".repeat(11), 10));
        properties.process(overflowed);
        assertEquals(Boolean.TRUE, overflowed.getProperty("overflowed"));
    }

    @Test
    void aRunHandedOverAgainByTheStoreIsRecovered() throws Exception {
        Exchange exchange = completed(run("agent:bot:collavre:42:creative:1", "text", 100));
        exchange.getMessage().setHeader(Exchange.REDELIVERED, true);
        properties.process(exchange);
        assertEquals(Boolean.TRUE, exchange.getProperty("recovered"));
    }

    @Test
    void aBodyThatIsNotARunFails() {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody("not a run");
        assertThrows(InvalidPayloadException.class, () -> properties.process(exchange));
    }
}
