package io.collavre.openclaw.bridge.ops;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts a dropped frame as {@code openclaw_bridge_frames_dropped_total} with the exchange's {@code account} and
 * this counter's {@code reason}: for reasons met on many frames (duplicate frames are a share of the stream), where
 * a {@code micrometer:counter} step would cost more than the rest of the drop (see {@link TaggedCounters}).
 */
public class FrameDropCounter implements Processor {

    public static final String METER = "openclaw.bridge.frames.dropped";

    private final TaggedCounters counters = new TaggedCounters(METER, "account", "reason");
    private String reason = "unspecified";

    /** The {@code reason} tag of what this counter counts. */
    public void setReason(String reason) {
        this.reason = reason;
    }

    @Override
    public void process(Exchange exchange) {
        String account = exchange.getMessage().getHeader("account", String.class);
        counters.increment(exchange, account == null ? "" : account, reason);
    }
}
