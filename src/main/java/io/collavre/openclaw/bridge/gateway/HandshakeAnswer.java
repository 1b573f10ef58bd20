package io.collavre.openclaw.bridge.gateway;

import java.util.Map;

import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketConstants;
import io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketConsumer.WebsocketSession;
import org.apache.camel.Body;
import org.apache.camel.Header;

/**
 * Reads the Gateway's answer ({@code res}) to the {@code connect} request and reports it to the connection it came
 * in on, so that the route says {@code accepted} or {@code refused} in one bean step.
 */
public final class HandshakeAnswer {

    /** The keepalive interval the protocol assumes when the answer names none. */
    public static final long DEFAULT_TICK_INTERVAL_MS = 15_000;

    private HandshakeAnswer() {
    }

    /** {@code payload.policy.tickIntervalMs} of the answer when it is a positive number, else the default. */
    public static long tickIntervalMs(Map<String, Object> res) {
        if (res != null && res.get("payload") instanceof Map<?, ?> payload
            && payload.get("policy") instanceof Map<?, ?> policy
            && policy.get("tickIntervalMs") instanceof Number interval && interval.longValue() > 0) {
            return interval.longValue();
        }
        return DEFAULT_TICK_INTERVAL_MS;
    }

    /** The Gateway accepted the connect request: the connection is established, ticking as the answer says. */
    public static void accepted(@Body Map<String, Object> res,
                                @Header(ReconnectingWebsocketConstants.SESSION) WebsocketSession session) {
        session.established(tickIntervalMs(res));
    }

    /** The Gateway refused the connect request: the attempt failed, and the connection is tried again later. */
    public static void refused(@Header(ReconnectingWebsocketConstants.SESSION) WebsocketSession session) {
        session.refuse("handshake refused");
    }
}
