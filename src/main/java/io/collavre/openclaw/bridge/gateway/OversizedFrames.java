package io.collavre.openclaw.bridge.gateway;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * Whether a Gateway frame (the exchange's body, as text) is over the size cap: such frames are dropped before
 * they are parsed. A predicate, so that the route's filter calls it directly ({@code ${body.length()}} in Simple
 * was a reflective call per frame).
 */
public class OversizedFrames implements Predicate {

    private int maxFrameChars = 1_048_576;

    /** Frames longer than this many characters are not parsed. */
    public void setMaxFrameChars(int maxFrameChars) {
        this.maxFrameChars = maxFrameChars;
    }

    public boolean oversized(String frame) {
        return frame != null && frame.length() > maxFrameChars;
    }

    @Override
    public boolean matches(Exchange exchange) {
        return oversized(exchange.getMessage().getBody(String.class));
    }
}
