package io.collavre.openclaw.bridge.ops;

import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.MemoryAggregationRepository;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The open-buffers gauge counts this bridge's buffers, the number the buffer cap counts, not every key in the store. */
class OpenBuffersGaugeTest {

    @Test
    void countsTheBuffersThisBridgeHoldsNotTheOnesOtherBridgesKeepInASharedStore() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        MemoryAggregationRepository sharedStore = new MemoryAggregationRepository();
        RunBufferRepository buffers = new RunBufferRepository(sharedStore);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
            OpenBuffersGauge gauge = new OpenBuffersGauge();
            context.getRegistry().bind("openBuffersGauge", gauge);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:events").aggregate(header("runId"), (older, newer) -> older == null ? newer : older)
                            .aggregationRepository(buffers).eagerCheckCompletion()
                            .completionPredicate(header("state").isEqualTo("final"))
                            .id("run-buffers").to("mock:completed");
                }
            });
            context.start();
            ProducerTemplate events = context.createProducerTemplate();
            events.sendBodyAndHeaders("direct:events", "text", Map.of("runId", "mine", "state", "delta"));
            // Another bridge's buffer in the shared store: its to count, not this one's.
            sharedStore.add(context, "theirs", new DefaultExchange(context));

            assertEquals(2, buffers.getKeys().size());
            assertEquals(1.0, meters.get(OpenBuffersGauge.NAME).gauge().value());

            events.sendBodyAndHeaders("direct:events", "text", Map.of("runId", "mine", "state", "final"));
            assertEquals(0.0, meters.get(OpenBuffersGauge.NAME).gauge().value());
        }
    }
}
