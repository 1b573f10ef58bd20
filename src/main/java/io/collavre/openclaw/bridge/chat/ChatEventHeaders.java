package io.collavre.openclaw.bridge.chat;

import java.util.Map;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Message;

/**
 * Reads what the admission of a chat event decides on into headers, in one call per event, so that the route
 * tests plain headers. (Testing the payload in Simple, {@code ${body[runId]}}, {@code ${header.runId.isBlank()}},
 * goes through a reflective bean call per test: it was most of the bridge's cost per event.)
 *
 * <p>Expects the chat payload (a map) as body and the {@code account} header. Sets:
 * <ul>
 * <li>{@code runId}: the payload's runId, only when it is a non-blank string of at most {@code maxRunIdChars};
 *     absent otherwise</li>
 * <li>{@code state}, {@code sessionKey}: the payload's, when they are strings</li>
 * <li>{@code keyUserId}: the Collavre user the session key names ({@link SessionKey#userId()}), when it names one</li>
 * <li>{@code frameId}: the frame's {@link FrameIdentity}, which duplicate frames share</li>
 * </ul>
 */
public class ChatEventHeaders implements Processor {

    private int maxRunIdChars = 200;

    /** Run ids longer than this are not trusted. */
    public void setMaxRunIdChars(int maxRunIdChars) {
        this.maxRunIdChars = maxRunIdChars;
    }

    @Override
    public void process(Exchange exchange) {
        apply(exchange);
    }

    public void apply(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<?, ?> payload = message.getBody(Map.class);
        Object runId = payload == null ? null : payload.get("runId");
        Object state = payload == null ? null : payload.get("state");
        Object sessionKey = payload == null ? null : payload.get("sessionKey");
        set(message, BridgeHeaders.RUN_ID, runId instanceof String id && !id.isBlank() && id.length() <= maxRunIdChars ? id : null);
        set(message, BridgeHeaders.STATE, state instanceof String s ? s : null);
        set(message, BridgeHeaders.SESSION_KEY, sessionKey instanceof String key ? key : null);
        set(message, BridgeHeaders.KEY_USER_ID, SessionKey.parse(sessionKey instanceof String key ? key : null).userId());
        @SuppressWarnings("unchecked")
        Map<String, Object> chat = (Map<String, Object>) payload;
        set(message, BridgeHeaders.FRAME_ID,
                chat == null ? null : FrameIdentity.of(message.getHeader(BridgeHeaders.ACCOUNT, String.class), chat));
    }

    private static void set(Message message, String name, Object value) {
        if (value == null) {
            message.removeHeader(name);
        } else {
            message.setHeader(name, value);
        }
    }
}
