package io.collavre.openclaw.bridge.ops;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;

/**
 * The timer {@code openclaw.bridge.state.write.wait} (Prometheus: {@code openclaw_bridge_state_write_wait_seconds},
 * with buckets): how long a completed run waited, before its first post, for the state store's commit of its dedup
 * claim in the memory several bridges share ({@code postgresql} store; made as the run completed).
 * It is the share of final-to-Collavre latency that the store adds; the in-memory and embedded stores never record
 * it (their first post waits for no commit).
 * Registered on the Camel metrics registry at the first wait; without one (metrics disabled) nothing is recorded.
 */
public final class StateWriteWaitTimer {

    public static final String NAME = "openclaw.bridge.state.write.wait";

    /** Buckets around the waits a group commit gives (a few ms) and those a slow database gives (seconds). */
    static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final CamelContext context;
    private volatile Timer timer;

    public StateWriteWaitTimer(CamelContext context) {
        this.context = context;
    }

    /** A wait of {@code nanos}, from when the run's delivery started waiting to the commit. */
    public void record(long nanos) {
        Timer current = timer;
        if (current == null) {
            MeterRegistry registry = ContextMeters.lookup(context);
            if (registry == null) {
                return;
            }
            current = Timer.builder(NAME)
                    .description("Wait of a completed run for the state store's commit before its first post")
                    .tag(ContextMeters.CAMEL_CONTEXT_TAG, context.getName())
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            timer = current;
        }
        current.record(nanos, TimeUnit.NANOSECONDS);
    }
}
