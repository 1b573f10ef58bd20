package io.collavre.openclaw.bridge.collavre;

import java.time.Instant;
import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollavreRequestHeadersTest {

    private static final String TOKEN = "collavre-secret-xyz";

    private CamelContext context;
    private RunBuffer run;
    private Exchange exchange;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        run = new RunBuffer("run-9", "42", "agent:a:collavre:42:creative:1", Instant.EPOCH);
        run.mergeDelta("text");
        exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(run);
        exchange.getMessage().setHeader("runId", "run-9");
        exchange.getMessage().setHeader("state", "final");
        exchange.getMessage().setHeader("sessionKey", "agent:a:collavre:42:creative:1");
        exchange.getMessage().setHeader("ownerId", "42");
        exchange.getMessage().setHeader("account", "default");
        exchange.getMessage().setHeader("CamelWebsocketConnectionKey", "conn-1");
        exchange.getMessage().setHeader(Exchange.HTTP_URI, "http://elsewhere.example/");
        exchange.getMessage().setHeader(Exchange.HTTP_PATH, "/other");
        exchange.getMessage().setHeader("Authorization", "Bearer stale");
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private static CollavreRequestHeaders headers(String token) {
        CollavreRequestHeaders headers = new CollavreRequestHeaders();
        headers.setToken(token);
        return headers;
    }

    @Test
    void withATokenOnlyThePostHeadersAreLeft() {
        headers(TOKEN).apply(exchange);

        assertEquals(Map.of(
                        Exchange.HTTP_METHOD, "POST",
                        Exchange.CONTENT_TYPE, "application/json",
                        "Idempotency-Key", "run-9",
                        "Authorization", "Bearer " + TOKEN),
                Map.copyOf(exchange.getMessage().getHeaders()));
    }

    @Test
    void withoutATokenNoAuthorizationHeaderIsSet() {
        headers(null).apply(exchange);

        assertEquals(Map.of(
                        Exchange.HTTP_METHOD, "POST",
                        Exchange.CONTENT_TYPE, "application/json",
                        "Idempotency-Key", "run-9"),
                Map.copyOf(exchange.getMessage().getHeaders()));
    }

    @Test
    void blankTokenCountsAsNoToken() {
        headers("   ").apply(exchange);

        assertFalse(exchange.getMessage().getHeaders().containsKey("Authorization"));
        assertEquals(3, exchange.getMessage().getHeaders().size());
    }

    @Test
    void tokenIsTrimmedInTheAuthorizationHeader() {
        headers("  " + TOKEN + "\n").apply(exchange);

        assertEquals("Bearer " + TOKEN, exchange.getMessage().getHeader("Authorization"));
    }

    @Test
    void idempotencyKeyIsTheRunIdOfTheBodyNotOfAHeader() {
        exchange.getMessage().setHeader("runId", "header-run-id");

        headers(TOKEN).apply(exchange);

        assertEquals("run-9", exchange.getMessage().getHeader("Idempotency-Key"));
    }

    @Test
    void bodyIsLeftUnchanged() {
        headers(TOKEN).apply(exchange);

        assertSame(run, exchange.getMessage().getBody());
    }

    @Test
    void toStringHidesTheToken() {
        String text = headers(TOKEN).toString();

        assertFalse(text.contains(TOKEN), text);
        assertFalse(text.contains("secret"), text);
        assertTrue(text.contains("***"), text);
    }

    @Test
    void toStringSaysWhenNoTokenIsSet() {
        assertTrue(headers(null).toString().contains("unset"));
        assertTrue(headers(" ").toString().contains("unset"));
    }
}
