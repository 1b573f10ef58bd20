package io.collavre.openclaw.bridge.chat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class RunBufferAggregationStrategyTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final String KEY = "agent:ai-bot:collavre:42:creative:100:topic:200";

    private CamelContext context;
    private RunBufferAggregationStrategy strategy;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        strategy = new RunBufferAggregationStrategy(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private Exchange event(String state, Object content, String sessionKey) {
        return event(state, content, sessionKey, null);
    }

    private Exchange event(String state, Object content, String sessionKey, Integer seq) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", content);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("runId", "run-1");
        if (seq != null) {
            payload.put("seq", seq);
        }
        payload.put("sessionKey", sessionKey);
        payload.put("state", state);
        payload.put("message", message);

        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(payload);
        exchange.getMessage().setHeader(BridgeHeaders.RUN_ID, "run-1");
        exchange.getMessage().setHeader(BridgeHeaders.STATE, state);
        exchange.getMessage().setHeader(BridgeHeaders.SESSION_KEY, sessionKey);
        exchange.getMessage().setHeader(BridgeHeaders.OWNER_ID, "42");
        return exchange;
    }

    private static RunBuffer bufferOf(Exchange exchange) {
        return assertInstanceOf(RunBuffer.class, exchange.getMessage().getBody());
    }

    @Test
    void firstDeltaCreatesABufferFromTheEventHeadersAndTheClock() {
        Exchange result = strategy.aggregate(null, event("delta", "Hel", KEY));

        RunBuffer buffer = bufferOf(result);
        assertEquals("run-1", buffer.getRunId());
        assertEquals("42", buffer.getOwnerId());
        assertEquals(KEY, buffer.getSessionKey());
        assertEquals(NOW, buffer.getCreatedAt());
        assertEquals("Hel", buffer.getText());
        assertEquals("delta", result.getMessage().getHeader(BridgeHeaders.STATE));
    }

    @Test
    void laterCumulativeDeltasReplaceTheText() {
        Exchange result = strategy.aggregate(null, event("delta", "Hel", KEY));
        result = strategy.aggregate(result, event("delta", "Hello", KEY));
        result = strategy.aggregate(result, event("delta", "Hello there", KEY));

        assertEquals("Hello there", bufferOf(result).getText());
    }

    @Test
    void aLateCopyOfAnOlderDeltaLeavesTheTextAsItIs() {
        Exchange result = strategy.aggregate(null, event("delta", "Hel", KEY, 1));
        result = strategy.aggregate(result, event("delta", "Hello", KEY, 2));
        result = strategy.aggregate(result, event("delta", "Hel", KEY, 1));

        assertEquals("Hello", bufferOf(result).getText());
    }

    @Test
    void anOpenEventForABufferedRunLeavesItsTextAndStateAsTheyAre() {
        Exchange result = strategy.aggregate(null, event("delta", "Hello", KEY));
        result = strategy.aggregate(result, event(RunBufferAggregationStrategy.OPEN, null, null));

        assertEquals("Hello", bufferOf(result).getText());
        assertEquals(KEY, bufferOf(result).getSessionKey());
        assertEquals("delta", result.getMessage().getHeader(BridgeHeaders.STATE));
    }

    @Test
    void laterIncrementalDeltasAreAppended() {
        Exchange result = strategy.aggregate(null, event("delta", "Hello", KEY));
        result = strategy.aggregate(result, event("delta", " there", KEY));

        assertEquals("Hello there", bufferOf(result).getText());
    }

    @Test
    void deltasWithTextPartsAreMerged() {
        Exchange result = strategy.aggregate(null, event("delta",
                List.of(Map.of("type", "text", "text", "Hel"), Map.of("type", "text", "text", "lo")), KEY));
        result = strategy.aggregate(result, event("delta", List.of(Map.of("type", "text", "text", "Hello!")), KEY));

        assertEquals("Hello!", bufferOf(result).getText());
    }

    @Test
    void aggregationKeepsTheFirstExchangeAndBuffer() {
        Exchange first = strategy.aggregate(null, event("delta", "a", KEY));
        RunBuffer buffer = bufferOf(first);

        Exchange second = strategy.aggregate(first, event("delta", "ab", KEY));

        assertSame(first, second);
        assertSame(buffer, bufferOf(second));
    }

    @Test
    void finalWithTextReplacesTheBufferedText() {
        Exchange result = strategy.aggregate(null, event("delta", "draft", KEY));
        result = strategy.aggregate(result, event("final", "The answer", KEY));

        assertEquals("The answer", bufferOf(result).getText());
    }

    @Test
    void finalWithoutTextKeepsTheBufferedText() {
        Exchange result = strategy.aggregate(null, event("delta", "buffered text", KEY));
        result = strategy.aggregate(result, event("final", "", KEY));

        assertEquals("buffered text", bufferOf(result).getText());
    }

    @Test
    void finalWithoutMessageKeepsTheBufferedText() {
        Exchange result = strategy.aggregate(null, event("delta", "buffered text", KEY));
        Exchange finalEvent = new DefaultExchange(context);
        finalEvent.getMessage().setBody(new LinkedHashMap<>(Map.of("runId", "run-1", "state", "final")));
        finalEvent.getMessage().setHeader(BridgeHeaders.RUN_ID, "run-1");
        finalEvent.getMessage().setHeader(BridgeHeaders.STATE, "final");

        result = strategy.aggregate(result, finalEvent);

        assertEquals("buffered text", bufferOf(result).getText());
        assertEquals(KEY, bufferOf(result).getSessionKey());
        assertEquals("final", result.getMessage().getHeader(BridgeHeaders.STATE));
    }

    @Test
    void finalAsFirstEventCreatesABufferWithItsText() {
        Exchange result = strategy.aggregate(null, event("final", "Only final", KEY));

        assertEquals("Only final", bufferOf(result).getText());
        assertEquals(NOW, bufferOf(result).getCreatedAt());
        assertEquals("final", result.getMessage().getHeader(BridgeHeaders.STATE));
    }

    @Test
    void stateHeaderFollowsTheLatestEvent() {
        Exchange result = strategy.aggregate(null, event("delta", "a", KEY));
        assertEquals("delta", result.getMessage().getHeader(BridgeHeaders.STATE));

        result = strategy.aggregate(result, event("final", "ab", KEY));

        assertEquals("final", result.getMessage().getHeader(BridgeHeaders.STATE));
    }

    @Test
    void firstSessionKeyIsKept() {
        Exchange result = strategy.aggregate(null, event("delta", "a", KEY));
        result = strategy.aggregate(result, event("delta", "ab", "agent:other:collavre:9:creative:1"));

        assertEquals(KEY, bufferOf(result).getSessionKey());
    }

    @Test
    void laterSessionKeyIsTakenWhenTheFirstEventHadNone() {
        Exchange result = strategy.aggregate(null, event("delta", "a", null));
        result = strategy.aggregate(result, event("final", "ab", KEY));

        assertEquals(KEY, bufferOf(result).getSessionKey());
    }

    @Test
    void createdAtStaysAtTheFirstEventsTime() {
        Exchange result = strategy.aggregate(null, event("delta", "a", KEY));
        RunBufferAggregationStrategy later = new RunBufferAggregationStrategy(
                Clock.fixed(NOW.plusSeconds(600), ZoneOffset.UTC));

        result = later.aggregate(result, event("delta", "ab", KEY));

        assertEquals(NOW, bufferOf(result).getCreatedAt());
    }
}
