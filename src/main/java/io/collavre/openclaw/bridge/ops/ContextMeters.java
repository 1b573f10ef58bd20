package io.collavre.openclaw.bridge.ops;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;

/** The Camel context's Micrometer registry, looked up once, for one of the bridge's own meters. */
final class ContextMeters {

    /** Tag that micrometer: endpoint meters carry; a meter name must have the same tag names wherever it is counted. */
    static final String CAMEL_CONTEXT_TAG = "camelContext";

    private final String meter;
    private volatile MeterRegistry registry;

    ContextMeters(String meter) {
        this.meter = meter;
    }

    /** The context's metrics registry (camel-micrometer's, by its name); null without one (metrics disabled). */
    static MeterRegistry lookup(CamelContext context) {
        return context == null ? null : context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
    }

    MeterRegistry registry(Exchange exchange) {
        MeterRegistry current = registry;
        if (current == null) {
            current = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
            if (current == null) {
                throw new IllegalStateException("no MeterRegistry in the Camel registry for " + meter
                                                + " (camel.metrics.enabled = true makes one)");
            }
            registry = current;
        }
        return current;
    }
}
