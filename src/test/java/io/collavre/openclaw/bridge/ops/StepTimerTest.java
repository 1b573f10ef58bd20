package io.collavre.openclaw.bridge.ops;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StepTimerTest {

    private final MockClock clock = new MockClock();
    private final MeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final StepTimer timer = new StepTimer();
    private CamelContext context;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        context.getRegistry().bind("meters", meters);
        timer.setMeter("test.post");
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    @Test
    void recordsTheTimeBetweenStartAndStop() {
        Exchange exchange = new DefaultExchange(context);
        timer.start(exchange);
        clock.add(Duration.ofMillis(40));
        timer.stop(exchange);

        Timer recorded = meters.get("test.post").tag("camelContext", context.getName()).timer();
        assertEquals(1, recorded.count());
        assertEquals(40, recorded.totalTime(TimeUnit.MILLISECONDS));
        assertNull(exchange.getProperty("StepTimer.test.post"), "the sample is not left on the exchange");
    }

    @Test
    void aStopWithoutStartRecordsNothing() {
        timer.stop(new DefaultExchange(context));
        assertNull(meters.find("test.post").timer());
    }

    @Test
    void needsAMeterName() {
        StepTimer unnamed = new StepTimer();
        assertThrows(IllegalStateException.class, () -> unnamed.start(new DefaultExchange(context)));
    }
}
