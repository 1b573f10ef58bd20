package io.collavre.openclaw.bridge.ops;

import java.util.Set;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts chat events by account and state as {@code openclaw_bridge_events_total}; a processor because it runs
 * for every event (see {@link TaggedCounters}). States other than delta, final, error and aborted count as
 * {@code unknown}.
 */
public class ChatEventCounter implements Processor {

    public static final String METER = "openclaw.bridge.events";
    private static final Set<String> STATES = Set.of("delta", "final", "error", "aborted");

    private final TaggedCounters counters = new TaggedCounters(METER, BridgeHeaders.ACCOUNT, BridgeHeaders.STATE);

    @Override
    public void process(Exchange exchange) {
        String account = exchange.getMessage().getHeader(BridgeHeaders.ACCOUNT, String.class);
        String state = exchange.getMessage().getHeader(BridgeHeaders.STATE, String.class);
        counters.increment(exchange, account == null ? "" : account, state != null && STATES.contains(state) ? state : "unknown");
    }
}
