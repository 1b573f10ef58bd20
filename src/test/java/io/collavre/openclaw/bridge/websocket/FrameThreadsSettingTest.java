package io.collavre.openclaw.bridge.websocket;

import java.util.Map;

import io.collavre.openclaw.bridge.testing.BridgeFixture;
import org.junit.jupiter.api.Test;

import static io.collavre.openclaw.bridge.testing.GatewaySimulator.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code openclaw.gateway.frame-threads} reaches the component the Gateway routes use, and bad values are refused. */
class FrameThreadsSettingTest {

    static final String KEY = "agent:main:collavre:42:creative:7";

    @Test
    void theSettingSizesTheSharedFrameThreadsOfTheBridge() throws Exception {
        try (BridgeFixture fixture = BridgeFixture.start(Map.of("openclaw.gateway.frame-threads", "3"))) {
            ReconnectingWebsocketComponent component = fixture.context()
                    .getComponent("reconnecting-websocket", ReconnectingWebsocketComponent.class);
            assertEquals(3, component.getFrameThreads());

            fixture.sendCompleting(1, chat("run-1", 1, "delta", KEY, "Hello"), chat("run-1", 2, "final", KEY, "Hello!"));
            assertEquals("Hello!", fixture.collavre.awaitPost(BridgeFixture.WAIT).json().getString("content"));
        }
    }

    @Test
    void noFrameThreadsIsRefused() {
        ReconnectingWebsocketComponent component = new ReconnectingWebsocketComponent();
        assertThrows(IllegalArgumentException.class, () -> component.setFrameThreads(0));
        assertEquals(2, component.getFrameThreads());
    }
}
