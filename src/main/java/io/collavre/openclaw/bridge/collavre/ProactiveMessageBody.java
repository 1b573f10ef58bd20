package io.collavre.openclaw.bridge.collavre;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.chat.SessionKey;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The body collavre-delivery posts: the {@link ProactiveMessage} of the completed run in the body, with the session key
 * collavre-dispatch parsed (the {@code sessionKey} exchange property; parsed here when it is absent). An expression
 * bean for {@code setBody: ref:}, which costs a plain call where a {@code method} call with parameters costs a
 * reflective one per run.
 */
public class ProactiveMessageBody extends ExpressionAdapter {

    @Override
    public Object evaluate(Exchange exchange) {
        RunBuffer run = exchange.getMessage().getBody(RunBuffer.class);
        if (run == null) {
            // The body's type only: a body is the user's text, not log material.
            Object body = exchange.getMessage().getBody();
            throw new IllegalArgumentException("the body is not a completed run but "
                                               + (body == null ? "null" : body.getClass().getName()));
        }
        SessionKey key = exchange.getProperty(BridgeHeaders.SESSION_KEY, SessionKey.class);
        return key == null ? ProactiveMessage.of(run) : ProactiveMessage.of(run, key);
    }
}
