package io.collavre.openclaw.bridge.gateway;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Predicate;

/**
 * What the Gateway connection route asks of every frame, answered in Java: is the frame over the size cap
 * ({@link #matches}, so that the filter calls it directly), what are its {@code type} and {@code event} (as the
 * headers {@code frameType} and {@code frameEvent}, so that the route's choice tests plain headers), and what is
 * its payload. Asked in Simple ({@code ${body.length()}}, {@code ${body[type]}}, {@code ${body[payload]}}) each
 * was a reflective bean call per frame, most of the bridge's cost per frame.
 */
public class GatewayFrames implements Predicate {

    public static final String FRAME_TYPE = "frameType";
    public static final String FRAME_EVENT = "frameEvent";
    public static final String FRAME_PAYLOAD_IS_OBJECT = "framePayloadIsObject";

    private int maxFrameChars = 1_048_576;

    /** Frames longer than this many characters are not parsed. */
    public void setMaxFrameChars(int maxFrameChars) {
        this.maxFrameChars = maxFrameChars;
    }

    public boolean oversized(String frame) {
        return frame != null && frame.length() > maxFrameChars;
    }

    /** Whether the exchange's frame (its body, as text) is over the size cap. */
    @Override
    public boolean matches(Exchange exchange) {
        return oversized(exchange.getMessage().getBody(String.class));
    }

    /**
     * Sets {@code frameType} and {@code frameEvent} from the parsed frame (absent when it has none), and
     * {@code framePayloadIsObject}: whether its {@code payload} is a JSON object.
     */
    public void describe(Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        Map<?, ?> frame = body instanceof Map<?, ?> map ? map : null;
        set(message, FRAME_TYPE, frame == null ? null : frame.get("type"));
        set(message, FRAME_EVENT, frame == null ? null : frame.get("event"));
        message.setHeader(FRAME_PAYLOAD_IS_OBJECT, frame != null && frame.get("payload") instanceof Map);
    }

    /** The frame's {@code payload}, or null when it has none. */
    public static Object payload(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof Map<?, ?> frame ? frame.get("payload") : null;
    }

    private static void set(Message message, String name, Object value) {
        if (value instanceof String text) {
            message.setHeader(name, text);
        } else {
            message.removeHeader(name);
        }
    }
}
