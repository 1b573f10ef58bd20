package io.collavre.openclaw.bridge.ops;

import java.util.ArrayList;
import java.util.List;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;

/**
 * Counts one decision of a route in one of the bridge's {@code openclaw.bridge.*} meters: the one way the routes
 * count. Tagged with the exchange's {@code account} (its header, else its exchange property) and this counter's own
 * {@code tags}, written {@code outcome=skipped,reason=no-creative}. A tag value may be a Simple expression
 * ({@code reason=${exchangeProperty.deadLetter[reason]}}), evaluated per message; fixed values cost no evaluation,
 * which is why counting is a processor and not a {@code micrometer:} step (see {@link TaggedCounters}).
 */
public class DecisionCounter implements Processor {

    private String meter;
    private String tags = "";
    private volatile Counting counting;

    /** The meter, e.g. {@code openclaw.bridge.runs} (Prometheus: {@code openclaw_bridge_runs_total}). */
    public void setMeter(String meter) {
        this.meter = meter;
        this.counting = null;
    }

    public String getMeter() {
        return meter;
    }

    /** Tags besides {@code account}: {@code name=value} pairs separated by commas. */
    public void setTags(String tags) {
        this.tags = tags == null ? "" : tags;
        this.counting = null;
    }

    public String getTags() {
        return tags;
    }

    @Override
    public void process(Exchange exchange) {
        Counting current = counting;
        if (current == null) {
            current = new Counting(exchange, meter, tags);
            counting = current;
        }
        current.count(exchange);
    }

    /** The meter's counters and the tag values to count with, made once from the settings. */
    private static final class Counting {

        private final TaggedCounters counters;
        private final String[] fixedValues;
        private final Expression[] expressions;

        Counting(Exchange exchange, String meter, String tags) {
            if (meter == null || meter.isBlank()) {
                throw new IllegalStateException("a DecisionCounter needs its meter");
            }
            List<String> names = new ArrayList<>(List.of(BridgeHeaders.ACCOUNT));
            List<String> values = new ArrayList<>();
            for (String pair : tags.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("tags of " + meter + " must be name=value pairs, was '" + tags + "'");
                }
                names.add(pair.substring(0, equals).trim());
                values.add(pair.substring(equals + 1).trim());
            }
            counters = new TaggedCounters(meter, names.toArray(String[]::new));
            fixedValues = values.toArray(String[]::new);
            expressions = new Expression[fixedValues.length];
            for (int i = 0; i < fixedValues.length; i++) {
                if (fixedValues[i].contains("${")) {
                    expressions[i] = exchange.getContext().resolveLanguage("simple").createExpression(fixedValues[i]);
                    expressions[i].init(exchange.getContext());
                }
            }
        }

        void count(Exchange exchange) {
            String account = exchange.getMessage().getHeader(BridgeHeaders.ACCOUNT, String.class);
            if (account == null) {
                account = exchange.getProperty(BridgeHeaders.ACCOUNT, "", String.class);
            }
            String[] values = new String[fixedValues.length + 1];
            values[0] = account;
            for (int i = 0; i < fixedValues.length; i++) {
                values[i + 1] = expressions[i] == null ? fixedValues[i]
                        : String.valueOf(expressions[i].evaluate(exchange, String.class));
            }
            counters.increment(exchange, values);
        }
    }
}
