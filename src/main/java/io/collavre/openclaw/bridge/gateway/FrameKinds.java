package io.collavre.openclaw.bridge.gateway;

import java.util.Map;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Names what a parsed Gateway frame is, as the header {@code frameKind}, so that the connection route's choice
 * tests one header; a chat event's body becomes its payload. One call per frame: testing {@code ${body[type]}},
 * {@code ${body[event]}} and {@code ${body[payload]}} in Simple cost several reflective calls per frame.
 *
 * <p>The kinds ({@link #kind}): {@code chat} (a chat event with an object payload), {@code chat-without-payload},
 * {@code connect-challenge}, {@code connect-accepted} and {@code connect-refused} (the answer to our connect
 * request, {@code ok} true or not), {@code tick}, and {@code other} for anything else.
 */
public class FrameKinds implements Processor {

    public static final String CHAT = "chat";
    public static final String CHAT_WITHOUT_PAYLOAD = "chat-without-payload";
    public static final String CONNECT_CHALLENGE = "connect-challenge";
    public static final String CONNECT_ACCEPTED = "connect-accepted";
    public static final String CONNECT_REFUSED = "connect-refused";
    public static final String TICK = "tick";
    public static final String OTHER = "other";

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<?, ?> frame = message.getBody() instanceof Map<?, ?> map ? map : null;
        String kind = kind(frame);
        message.setHeader(BridgeHeaders.FRAME_KIND, kind);
        if (CHAT.equals(kind)) {
            message.setBody(frame.get("payload"));
        }
    }

    /** The kind of a parsed frame (null: not a JSON object). */
    public static String kind(Map<?, ?> frame) {
        if (frame == null) {
            return OTHER;
        }
        Object type = frame.get("type");
        if ("event".equals(type)) {
            Object event = frame.get("event");
            if ("chat".equals(event)) {
                return frame.get("payload") instanceof Map ? CHAT : CHAT_WITHOUT_PAYLOAD;
            }
            if ("connect.challenge".equals(event)) {
                return CONNECT_CHALLENGE;
            }
            return "tick".equals(event) ? TICK : OTHER;
        }
        if ("res".equals(type)) {
            return Boolean.TRUE.equals(frame.get("ok")) ? CONNECT_ACCEPTED : CONNECT_REFUSED;
        }
        return OTHER;
    }
}
