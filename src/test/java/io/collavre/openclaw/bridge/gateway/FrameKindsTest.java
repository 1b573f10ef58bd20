package io.collavre.openclaw.bridge.gateway;

import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class FrameKindsTest {

    /** Only the exchanges' context: never started, nothing to close. */
    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private final FrameKinds kinds = new FrameKinds();

    @Test
    void namesEachKindOfFrame() {
        assertEquals("chat", FrameKinds.kind(Map.of("type", "event", "event", "chat", "payload", Map.of("runId", "r"))));
        assertEquals("chat-without-payload", FrameKinds.kind(Map.of("type", "event", "event", "chat")));
        assertEquals("chat-without-payload", FrameKinds.kind(Map.of("type", "event", "event", "chat", "payload", "text")));
        assertEquals("connect-challenge", FrameKinds.kind(Map.of("type", "event", "event", "connect.challenge")));
        assertEquals("tick", FrameKinds.kind(Map.of("type", "event", "event", "tick")));
        assertEquals("other", FrameKinds.kind(Map.of("type", "event", "event", "presence")));
        assertEquals("other", FrameKinds.kind(Map.of("type", "event")));
        assertEquals("connect-accepted", FrameKinds.kind(Map.of("type", "res", "ok", true)));
        assertEquals("connect-refused", FrameKinds.kind(Map.of("type", "res", "ok", false)));
        assertEquals("connect-refused", FrameKinds.kind(Map.of("type", "res")));
        assertEquals("other", FrameKinds.kind(Map.of("type", "req")));
        assertEquals("other", FrameKinds.kind(Map.of()));
        assertEquals("other", FrameKinds.kind(null));
    }

    @Test
    void aChatEventsBodyBecomesItsPayload() {
        Map<String, Object> payload = Map.of("runId", "r", "state", "delta");
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.getMessage().setBody(Map.of("type", "event", "event", "chat", "payload", payload));
        kinds.process(exchange);
        assertEquals("chat", exchange.getMessage().getHeader(BridgeHeaders.FRAME_KIND));
        assertSame(payload, exchange.getMessage().getBody());
    }

    @Test
    void otherFramesKeepTheirBody() {
        Map<String, Object> res = Map.of("type", "res", "ok", true, "payload", Map.of("type", "hello-ok"));
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.getMessage().setBody(res);
        kinds.process(exchange);
        assertEquals("connect-accepted", exchange.getMessage().getHeader(BridgeHeaders.FRAME_KIND));
        assertSame(res, exchange.getMessage().getBody());

        exchange.getMessage().setBody(List.of(1, 2));
        kinds.process(exchange);
        assertEquals("other", exchange.getMessage().getHeader(BridgeHeaders.FRAME_KIND));
    }
}
