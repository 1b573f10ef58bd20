package io.collavre.openclaw.bridge.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaggedCountersTest {

    private static final String FRAMES_DROPPED = "openclaw.bridge.frames.dropped";

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private CamelContext context;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        context.getRegistry().bind("meters", meters);
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    @Test
    void countsByAccountWithItsReason() {
        DecisionCounter duplicates = new DecisionCounter();
        duplicates.setMeter(FRAMES_DROPPED);
        duplicates.setTags("reason=duplicate-frame");
        duplicates.process(exchange("alpha"));
        duplicates.process(exchange("alpha"));
        duplicates.process(exchange("beta"));
        duplicates.process(exchange(null));

        assertEquals(2, count("alpha", "duplicate-frame"));
        assertEquals(1, count("beta", "duplicate-frame"));
        assertEquals(1, count("", "duplicate-frame"));
    }

    @Test
    void chatEventsAreCountedByStateAndUnknownStatesTogether() {
        ChatEventCounter events = new ChatEventCounter();
        Exchange delta = exchange("alpha");
        delta.getMessage().setHeader("state", "delta");
        Exchange odd = exchange("alpha");
        odd.getMessage().setHeader("state", "thinking");
        Exchange none = exchange("alpha");
        events.process(delta);
        events.process(delta);
        events.process(odd);
        events.process(none);

        assertEquals(2, meters.get(ChatEventCounter.METER).tag("account", "alpha").tag("state", "delta").counter().count());
        assertEquals(2, meters.get(ChatEventCounter.METER).tag("account", "alpha").tag("state", "unknown").counter().count());
    }

    @Test
    void withoutAMeterRegistryItSaysSo() throws Exception {
        CamelContext bare = new DefaultCamelContext();
        try {
            Exchange exchange = new DefaultExchange(bare);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> dropCounter().process(exchange));
            assertTrue(e.getMessage().contains("camel.metrics.enabled"), e.getMessage());
        } finally {
            bare.close();
        }
    }

    @Test
    void areTaggedWithTheCamelContextLikeMicrometerEndpointMeters() {
        dropCounter().process(exchange("alpha"));
        assertEquals(context.getName(), meters.get(FRAMES_DROPPED).counter().getId().getTag("camelContext"));
    }

    @Test
    void aDecisionCounterTakesTheAccountFromTheExchangePropertyWhenNoHeaderHasIt() {
        DecisionCounter runs = new DecisionCounter();
        runs.setMeter("openclaw.bridge.runs");
        runs.setTags("outcome=skipped, reason=no-creative");
        Exchange completed = new DefaultExchange(context);
        completed.setProperty("account", "alpha");
        runs.process(completed);

        assertEquals(1, meters.get("openclaw.bridge.runs").tag("account", "alpha").tag("outcome", "skipped")
                .tag("reason", "no-creative").counter().count());
    }

    @Test
    void aDecisionCounterTagValueMayBeASimpleExpression() {
        DecisionCounter letters = new DecisionCounter();
        letters.setMeter("openclaw.bridge.dead.letters");
        letters.setTags("reason=${exchangeProperty.reason}");
        Exchange exhausted = exchange("alpha");
        exhausted.setProperty("reason", "retries-exhausted");
        Exchange refused = exchange("alpha");
        refused.setProperty("reason", "not-retryable");
        letters.process(exhausted);
        letters.process(exhausted);
        letters.process(refused);

        assertEquals(2, meters.get("openclaw.bridge.dead.letters").tag("reason", "retries-exhausted").counter().count());
        assertEquals(1, meters.get("openclaw.bridge.dead.letters").tag("reason", "not-retryable").counter().count());
    }

    @Test
    void aDecisionCounterRefusesTagsThatAreNotPairs() {
        DecisionCounter odd = new DecisionCounter();
        odd.setMeter("openclaw.bridge.runs");
        odd.setTags("dispatched");
        assertThrows(IllegalArgumentException.class, () -> odd.process(exchange("alpha")));
    }

    private static DecisionCounter dropCounter() {
        DecisionCounter counter = new DecisionCounter();
        counter.setMeter(FRAMES_DROPPED);
        counter.setTags("reason=unspecified");
        return counter;
    }

    private double count(String account, String reason) {
        return meters.get(FRAMES_DROPPED).tag("account", account).tag("reason", reason).counter().count();
    }

    private Exchange exchange(String account) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader("account", account);
        return exchange;
    }
}
