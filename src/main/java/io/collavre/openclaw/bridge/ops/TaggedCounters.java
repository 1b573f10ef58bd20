package io.collavre.openclaw.bridge.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import org.apache.camel.Exchange;

/**
 * One Micrometer counter per combination of tag values, registered on first use in the Camel context's
 * {@link MeterRegistry}. What a {@code micrometer:counter} step does, without that step's per-message tag
 * expressions and header clean-up: for counters counted on every chat event. Like that step's meters, each has
 * the tag {@code camelContext}.
 */
final class TaggedCounters {

    private final String meter;
    private final String[] tagNames;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final ContextMeters meters;

    TaggedCounters(String meter, String... tagNames) {
        this.meter = meter;
        this.tagNames = tagNames.clone();
        this.meters = new ContextMeters(meter);
    }

    /** Counts one for these tag values, given in the order of the tag names. */
    void increment(Exchange exchange, String... tagValues) {
        if (tagValues.length != tagNames.length) {
            throw new IllegalArgumentException(meter + " takes " + tagNames.length + " tag values, got " + tagValues.length);
        }
        counters.computeIfAbsent(String.join("\u0000", tagValues), key -> register(exchange, tagValues)).increment();
    }

    private Counter register(Exchange exchange, String[] tagValues) {
        Counter.Builder builder = Counter.builder(meter).tag(ContextMeters.CAMEL_CONTEXT_TAG, exchange.getContext().getName());
        for (int i = 0; i < tagNames.length; i++) {
            builder.tag(tagNames[i], tagValues[i]);
        }
        return builder.register(meters.registry(exchange));
    }
}
