package io.collavre.openclaw.bridge.ops;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts chat events by account and state as {@code openclaw_bridge_events_total}. It does on every event what
 * a {@code micrometer:counter} step does, without that step's per-message tag expressions and header clean-up,
 * which the benchmark measured at a seventh of the bridge's time per event.
 */
public class ChatEventCounter implements Processor {

    public static final String METER = "openclaw.bridge.events";
    private static final Set<String> STATES = Set.of("delta", "final", "error", "aborted");

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    public void setRegistry(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void process(Exchange exchange) {
        String account = exchange.getMessage().getHeader("account", String.class);
        String state = exchange.getMessage().getHeader("state", String.class);
        count(exchange, account == null ? "" : account, state != null && STATES.contains(state) ? state : "unknown");
    }

    private void count(Exchange exchange, String account, String state) {
        counters.computeIfAbsent(account + '|' + state, key -> Counter.builder(METER)
                .tag("account", account).tag("state", state).register(registry(exchange))).increment();
    }

    private MeterRegistry registry(Exchange exchange) {
        MeterRegistry current = registry;
        if (current == null) {
            current = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
            registry = current;
        }
        return current;
    }
}
