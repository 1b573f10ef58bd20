package io.collavre.openclaw.bridge.testing;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Counts exchanges that a route consumer created and that are done, so a test can wait until the frames it
 * sent were processed. Completed runs leave the aggregator as copies of a frame's exchange; those were not
 * created by a consumer and are not counted.
 */
public final class FramesProcessed extends EventNotifierSupport {

    private final Set<String> created = ConcurrentHashMap.newKeySet();
    private final Semaphore done = new Semaphore(0);
    private final String routeId;

    private FramesProcessed(String routeId) {
        this.routeId = routeId;
    }

    public static FramesProcessed install(CamelContext context, String routeId) {
        FramesProcessed counter = new FramesProcessed(routeId);
        context.getManagementStrategy().addEventNotifier(counter);
        return counter;
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof ExchangeEvent e) || !routeId.equals(e.getExchange().getFromRouteId())) {
            return;
        }
        String id = e.getExchange().getExchangeId();
        switch (event.getType()) {
            case ExchangeCreated -> created.add(id);
            case ExchangeCompleted, ExchangeFailed -> {
                if (created.remove(id)) {
                    done.release();
                }
            }
            default -> {
            }
        }
    }

    /** Forgets frames counted so far. */
    public void reset() {
        done.drainPermits();
    }

    /** Waits until {@code frames} more frames were processed. */
    public void await(int frames, Duration timeout) throws InterruptedException {
        if (!done.tryAcquire(frames, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(frames + " frames not processed within " + timeout);
        }
    }
}
