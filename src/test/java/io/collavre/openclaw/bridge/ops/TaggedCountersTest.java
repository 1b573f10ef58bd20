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
        FrameDropCounter duplicates = new FrameDropCounter();
        duplicates.setReason("duplicate-frame");
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
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FrameDropCounter().process(exchange));
            assertTrue(e.getMessage().contains("camel.metrics.enabled"), e.getMessage());
        } finally {
            bare.close();
        }
    }

    @Test
    void areTaggedWithTheCamelContextLikeMicrometerEndpointMeters() {
        new FrameDropCounter().process(exchange("alpha"));
        assertEquals(context.getName(), meters.get(FrameDropCounter.METER).counter().getId().getTag("camelContext"));
    }

    private double count(String account, String reason) {
        return meters.get(FrameDropCounter.METER).tag("account", account).tag("reason", reason).counter().count();
    }

    private Exchange exchange(String account) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader("account", account);
        return exchange;
    }
}
