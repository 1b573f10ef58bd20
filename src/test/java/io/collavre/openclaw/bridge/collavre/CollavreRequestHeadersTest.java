package io.collavre.openclaw.bridge.collavre;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollavreRequestHeadersTest {

    private static final String TOKEN = "collavre-secret-xyz";
    private static final String BODY = "{\"run_id\":\"run-9\"}";

    private CamelContext context;
    private Exchange exchange;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(BODY);
        exchange.setProperty(CollavreRequestHeaders.IDEMPOTENCY_KEY, "run-9");
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
                        Exchange.HTTP_METHOD, HttpMethods.POST,
                        Exchange.CONTENT_TYPE, "application/json",
                        "Idempotency-Key", "run-9",
                        "Authorization", "Bearer " + TOKEN),
                Map.copyOf(exchange.getMessage().getHeaders()));
    }

    @Test
    void withoutATokenNoAuthorizationHeaderIsSet() {
        headers(null).apply(exchange);

        assertEquals(Map.of(
                        Exchange.HTTP_METHOD, HttpMethods.POST,
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
    void idempotencyKeyIsTheExchangePropertyNotAHeader() {
        exchange.getMessage().setHeader("runId", "header-run-id");

        headers(TOKEN).apply(exchange);

        assertEquals("run-9", exchange.getMessage().getHeader("Idempotency-Key"));
    }

    @Test
    void bodyIsLeftUnchanged() {
        headers(TOKEN).apply(exchange);

        assertEquals(BODY, exchange.getMessage().getBody());
    }

    @Test
    void redeliveryCountersAreKeptForTheErrorHandler() {
        exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, 2);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 5000L);

        headers(TOKEN).apply(exchange);

        assertEquals(2, exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER));
        assertNull(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY));
    }

    @Test
    void everyApplyCountsOneAttempt() {
        CollavreRequestHeaders headers = headers(TOKEN);
        headers.apply(exchange);
        headers.apply(exchange);

        assertEquals(2, exchange.getProperty(CollavreRequestHeaders.ATTEMPTS));
    }

    @Test
    void hmacSha256MatchesTheRfc4231Vector() {
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                CollavreRequestHeaders.hmacSha256Hex("Jefe", "what do ya want for nothing?"));
    }

    @Test
    void withASigningSecretTheBodyIsSignedWithTheTimestamp() {
        CollavreRequestHeaders headers = new CollavreRequestHeaders(
                Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC));
        headers.setSigningSecret("shared-secret");

        headers.apply(exchange);

        assertEquals("1700000000", exchange.getMessage().getHeader(CollavreRequestHeaders.TIMESTAMP_HEADER));
        // openssl: printf '%s' '1700000000.{"run_id":"run-9"}' | openssl dgst -sha256 -hmac 'shared-secret'
        assertEquals("sha256=858aab56b542ca07015d4df9c9c326e00798809e27cde99b7d7749fc45108c3c",
                exchange.getMessage().getHeader(CollavreRequestHeaders.SIGNATURE_HEADER));
        assertFalse(headers.toString().contains("shared-secret"));
    }

    @Test
    void withoutASigningSecretNoSignatureIsSet() {
        headers(TOKEN).apply(exchange);

        assertNull(exchange.getMessage().getHeader(CollavreRequestHeaders.SIGNATURE_HEADER));
        assertNull(exchange.getMessage().getHeader(CollavreRequestHeaders.TIMESTAMP_HEADER));
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
