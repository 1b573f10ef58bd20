package io.collavre.openclaw.bridge.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;

/**
 * Times the steps of a route between {@link #start} and {@link #stop} as the Micrometer timer {@code meter}
 * (tag {@code camelContext}, like micrometer: endpoint meters); an exchange that fails in between is not timed.
 * Does what a pair of {@code micrometer:timer} steps does, without their conversion of the action name to an
 * enum, which misses Camel's type converter cache and costs a walk over every registered converter each time
 * (a quarter of the dispatch thread's time in the benchmark).
 */
public class StepTimer {

    private String meter;
    private String sampleProperty;
    private ContextMeters meters;
    private volatile Timer timer;

    /** Name of the timer, for example {@code openclaw.bridge.collavre.post}. */
    public void setMeter(String meter) {
        this.meter = meter;
        this.sampleProperty = "StepTimer." + meter;
        this.meters = new ContextMeters(meter);
    }

    public void start(Exchange exchange) {
        exchange.setProperty(sampleProperty, Timer.start(registry(exchange)));
    }

    public void stop(Exchange exchange) {
        Timer.Sample sample = exchange.getProperty(sampleProperty, Timer.Sample.class);
        if (sample != null) {
            exchange.removeProperty(sampleProperty);
            sample.stop(timer(exchange));
        }
    }

    private Timer timer(Exchange exchange) {
        Timer current = timer;
        if (current == null) {
            current = Timer.builder(meter).tag(ContextMeters.CAMEL_CONTEXT_TAG, exchange.getContext().getName())
                    .register(registry(exchange));
            timer = current;
        }
        return current;
    }

    private MeterRegistry registry(Exchange exchange) {
        if (meters == null) {
            throw new IllegalStateException("StepTimer needs a meter name");
        }
        return meters.registry(exchange);
    }
}
