package io.collavre.openclaw.bridge.gateway;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayFramesTest {

    private CamelContext context;
    private final GatewayFrames frames = new GatewayFrames();

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

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
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody("123456");
        assertTrue(frames.matches(exchange));
        exchange.getMessage().setBody("12345");
        assertFalse(frames.matches(exchange));
    }

    @Test
    void readsThePayload() {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(Map.of("type", "event", "payload", Map.of("runId", "r")));
        assertEquals(Map.of("runId", "r"), GatewayFrames.payload(exchange));
        exchange.getMessage().setBody("not a map");
        assertEquals(null, GatewayFrames.payload(exchange));
    }

    @Test
    void describesTypeAndEventOfAParsedFrame() {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(Map.of("type", "event", "event", "chat"));
        frames.describe(exchange);
        assertEquals("event", exchange.getMessage().getHeader("frameType"));
        assertEquals("chat", exchange.getMessage().getHeader("frameEvent"));

        exchange.getMessage().setBody(Map.of("type", "res", "ok", true));
        frames.describe(exchange);
        assertEquals("res", exchange.getMessage().getHeader("frameType"));
        assertFalse(exchange.getMessage().getHeaders().containsKey("frameEvent"));

        exchange.getMessage().setBody("not a map");
        frames.describe(exchange);
        assertFalse(exchange.getMessage().getHeaders().containsKey("frameType"));
    }
}
