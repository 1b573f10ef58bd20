package io.collavre.openclaw.bridge.collavre;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollavreRetryPolicyTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private static HttpOperationFailedException status(int code, Map<String, String> headers) {
        return new HttpOperationFailedException("http://collavre.test/x", code, "status " + code, null, headers,
                "{\"error\":\"x\"}");
    }

    private Exchange failedWith(Exception failure, int redeliveries) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setException(failure);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, redeliveries);
        return exchange;
    }

    private static CollavreRetryPolicy policy(int maxRedeliveries, long maxDelayMs) {
        CollavreRetryPolicy policy = new CollavreRetryPolicy(Clock.fixed(NOW, ZoneOffset.UTC));
        policy.setMaxRedeliveries(maxRedeliveries);
        policy.setMaxDelayMs(maxDelayMs);
        return policy;
    }

    @Test
    void transientFailuresAreRetryable() {
        assertTrue(CollavreRetryPolicy.isRetryable(new ConnectException("refused")));
        assertTrue(CollavreRetryPolicy.isRetryable(new SocketTimeoutException("read timed out")));
        assertTrue(CollavreRetryPolicy.isRetryable(new IOException("reset")));
        assertTrue(CollavreRetryPolicy.isRetryable(status(500, Map.of())));
        assertTrue(CollavreRetryPolicy.isRetryable(status(503, Map.of())));
        assertTrue(CollavreRetryPolicy.isRetryable(status(429, Map.of())));
        assertTrue(CollavreRetryPolicy.isRetryable(status(408, Map.of())));
    }

    @Test
    void otherClientErrorsAndBugsAreNotRetryable() {
        assertFalse(CollavreRetryPolicy.isRetryable(status(400, Map.of())));
        assertFalse(CollavreRetryPolicy.isRetryable(status(401, Map.of())));
        assertFalse(CollavreRetryPolicy.isRetryable(status(404, Map.of())));
        assertFalse(CollavreRetryPolicy.isRetryable(status(422, Map.of())));
        assertFalse(CollavreRetryPolicy.isRetryable(new IllegalStateException("bug")));
        assertFalse(CollavreRetryPolicy.isRetryable(null));
    }

    @Test
    void retriesUntilTheRedeliveriesAreUsedUp() {
        CollavreRetryPolicy policy = policy(3, 60_000);

        assertTrue(policy.matches(failedWith(status(502, Map.of()), 1)));
        assertTrue(policy.matches(failedWith(status(502, Map.of()), 3)));
        assertFalse(policy.matches(failedWith(status(502, Map.of()), 4)));
        assertFalse(policy.matches(failedWith(status(400, Map.of()), 1)));
    }

    @Test
    void caughtExceptionCountsWhenTheExchangeNoLongerCarriesIt() {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new ConnectException("refused"));
        exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, 1);

        assertTrue(policy(3, 60_000).matches(exchange));
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        assertEquals(120_000L, CollavreRetryPolicy.retryAfterMillis("120", NOW));
        assertEquals(0L, CollavreRetryPolicy.retryAfterMillis("0", NOW));
        assertEquals(30_000L, CollavreRetryPolicy.retryAfterMillis("Sun, 01 Jun 2025 12:00:30 GMT", NOW));
        assertEquals(0L, CollavreRetryPolicy.retryAfterMillis("Sun, 01 Jun 2025 11:00:00 GMT", NOW), "past: now");
        assertNull(CollavreRetryPolicy.retryAfterMillis(null, NOW));
        assertNull(CollavreRetryPolicy.retryAfterMillis(" ", NOW));
        assertNull(CollavreRetryPolicy.retryAfterMillis("soon", NOW));
        assertNull(CollavreRetryPolicy.retryAfterMillis("-5", NOW));
        assertNull(CollavreRetryPolicy.retryAfterMillis("99999999999999999999", NOW));
    }

    @Test
    void retryAfterSetsTheNextDelayCappedAtTheMaximum() {
        Exchange exchange = failedWith(status(429, Map.of("retry-after", "5")), 1);
        policy(3, 60_000).process(exchange);
        assertEquals(5_000L, exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY));

        Exchange greedy = failedWith(status(429, Map.of("Retry-After", "3600")), 1);
        policy(3, 10_000).process(greedy);
        assertEquals(10_000L, greedy.getMessage().getHeader(Exchange.REDELIVERY_DELAY));
    }

    @Test
    void withoutRetryAfterTheBackoffDecides() {
        Exchange exchange = failedWith(status(503, Map.of()), 1);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 5_000L);

        policy(3, 60_000).process(exchange);

        assertNull(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY), "no stale delay from before");
    }
}
