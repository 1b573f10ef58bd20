package io.collavre.openclaw.bridge.ops;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The counter {@code openclaw.bridge.state.buffer.writes} (Prometheus:
 * {@code openclaw_bridge_state_buffer_writes_total}): open run buffers a durable state store has written behind, a
 * row each time (a run open for several checkpoint intervals counts once per interval). What the checkpoints cost
 * the database; a run that completes within the interval is never written as a buffer.
 */
public final class StateBufferWrites {

    public static final String NAME = "openclaw.bridge.state.buffer.writes";

    private StateBufferWrites() {
    }

    /**
     * Registers the counter on the Camel metrics registry, reading {@code writes}; null without a registry (metrics
     * disabled). {@link #unregister} it when the store stops: a store started again registers its own.
     */
    public static FunctionCounter register(CamelContext context, AtomicLong writes) {
        MeterRegistry registry = ContextMeters.lookup(context);
        if (registry == null) {
            return null;
        }
        return FunctionCounter.builder(NAME, writes, AtomicLong::doubleValue)
                .description("Open run buffers written behind to the state store, a row each time")
                .tag(ContextMeters.CAMEL_CONTEXT_TAG, context.getName())
                .register(registry);
    }

    public static void unregister(CamelContext context, FunctionCounter counter) {
        MeterRegistry registry = ContextMeters.lookup(context);
        if (registry != null && counter != null) {
            registry.remove(counter);
        }
    }
}
