package io.collavre.openclaw.bridge.chat;

import java.util.HashMap;
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
import static org.junit.jupiter.api.Assertions.assertNull;

class ChatEventHeadersTest {

    private CamelContext context;
    private final ChatEventHeaders headers = new ChatEventHeaders();

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        headers.setMaxRunIdChars(10);
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private Exchange apply(Map<String, Object> payload) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(payload);
        exchange.getMessage().setHeader("account", "acct");
        headers.apply(exchange);
        return exchange;
    }

    private static Map<String, Object> payload(Object runId, Object state, Object sessionKey, Object seq) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("runId", runId);
        payload.put("state", state);
        payload.put("sessionKey", sessionKey);
        payload.put("seq", seq);
        return payload;
    }

    @Test
    void readsTheFieldsTheAdmissionDecidesOn() {
        Exchange exchange = apply(payload("run-1", "delta", "agent:bot:collavre:42:creative:7", 3));
        assertEquals("run-1", exchange.getMessage().getHeader("runId"));
        assertEquals("delta", exchange.getMessage().getHeader("state"));
        assertEquals("agent:bot:collavre:42:creative:7", exchange.getMessage().getHeader("sessionKey"));
        assertEquals(42L, exchange.getMessage().getHeader("keyUserId"));
        assertEquals("acct|run-1|seq=3|delta", exchange.getMessage().getHeader("frameId"));
    }

    @Test
    void leavesRunIdOutWhenItIsNotAUsableString() {
        assertFalse(apply(payload(42, "delta", null, 1)).getMessage().getHeaders().containsKey("runId"));
        assertFalse(apply(payload("  ", "delta", null, 1)).getMessage().getHeaders().containsKey("runId"));
        assertFalse(apply(payload("run-123456789", "delta", null, 1)).getMessage().getHeaders().containsKey("runId"));
        assertEquals("run-123456", apply(payload("run-123456", "delta", null, 1)).getMessage().getHeader("runId"));
    }

    @Test
    void namesNoUserWhenTheSessionKeyNamesNone() {
        assertNull(apply(payload("run-1", "final", "agent:bot", 1)).getMessage().getHeader("keyUserId"));
        assertNull(apply(payload("run-1", "final", null, 1)).getMessage().getHeader("keyUserId"));
    }
}
