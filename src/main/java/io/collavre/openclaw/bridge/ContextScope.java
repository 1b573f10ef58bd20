package io.collavre.openclaw.bridge;

import org.apache.camel.CamelContext;

/**
 * The run state (open buffers, dispatched-run and recent-frame memory, the Collavre backlog, deliveries in flight)
 * belongs to the bridge, not to the routes that use it. Camel stops a route's services (an Aggregator's repository,
 * an Idempotent Consumer's, a bean step's bean) when that route is stopped or removed, as a live reload of its file
 * does; the beans holding state ask this whether the bridge itself is stopping, and keep their state when it is not.
 */
public final class ContextScope {

    private ContextScope() {
    }

    /**
     * True when the state should end with this stop: the context is stopping (or not running, or unknown, as for a
     * bean used without Camel). False while the context runs: only a route is being stopped or replaced.
     */
    public static boolean endsWith(CamelContext context) {
        return context == null || !context.getStatus().isStarted();
    }
}
