package io.collavre.openclaw.bridge.gateway;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OversizedFramesTest {

    /** Only the exchanges' context: never started, nothing to close. */
    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private final OversizedFrames frames = new OversizedFrames();

    @Test
    void framesOverTheCapAreOversized() {
        frames.setMaxFrameChars(5);
        assertFalse(frames.oversized("12345"));
        assertTrue(frames.oversized("123456"));
        assertFalse(frames.oversized(null));
    }

    @Test
    void asAPredicateTellsWhetherTheFrameIsOversized() {
        frames.setMaxFrameChars(5);
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.getMessage().setBody("123456");
        assertTrue(frames.matches(exchange));
        exchange.getMessage().setBody("12345");
        assertFalse(frames.matches(exchange));
    }
}
