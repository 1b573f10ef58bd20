package io.collavre.openclaw.bridge.ops;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StateWriteWaitTimerTest {

    @Test
    void withoutAMetricsRegistryNothingIsRecordedAndWithOneEachWaitLandsInItsBucket() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getCamelContextExtension().setName("bridge");
            StateWriteWaitTimer waits = new StateWriteWaitTimer(context);
            waits.record(TimeUnit.MILLISECONDS.toNanos(3));

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
            waits.record(TimeUnit.MILLISECONDS.toNanos(3));
            waits.record(TimeUnit.MILLISECONDS.toNanos(30));

            Timer timer = meters.get(StateWriteWaitTimer.NAME).tag("camelContext", "bridge").timer();
            assertEquals(2, timer.count(), "the wait before the registry existed is not counted");
            double within5ms = 0;
            double within50ms = 0;
            for (CountAtBucket bucket : timer.takeSnapshot().histogramCounts()) {
                if (bucket.bucket(TimeUnit.MILLISECONDS) == 5) {
                    within5ms = bucket.count();
                } else if (bucket.bucket(TimeUnit.MILLISECONDS) == 50) {
                    within50ms = bucket.count();
                }
            }
            assertEquals(1, within5ms);
            assertEquals(2, within50ms);
        }
    }
}
