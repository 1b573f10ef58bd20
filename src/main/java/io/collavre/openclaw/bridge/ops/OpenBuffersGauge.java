package io.collavre.openclaw.bridge.ops;

import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.spi.OnCamelContextStarted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauge {@code openclaw.bridge.buffers.open} (Prometheus: {@code openclaw_bridge_buffers_open}): how many runs
 * this bridge buffers in the aggregator right now, the same count {@code proactive.max-open-buffers} caps (with a
 * store shared by several bridges, the others' buffers are theirs to count; and no store is queried per scrape).
 * Registered on the Camel metrics registry once the context has started; without one (metrics disabled) it does
 * nothing.
 */
public class OpenBuffersGauge implements OnCamelContextStarted {

    public static final String NAME = "openclaw.bridge.buffers.open";

    private static final Logger LOG = LoggerFactory.getLogger(OpenBuffersGauge.class);

    private String aggregatorId = "run-buffers";
    private volatile CamelContext context;

    /** Id of the aggregator whose buffers are counted. */
    public void setAggregatorId(String aggregatorId) {
        this.aggregatorId = aggregatorId;
    }

    public String getAggregatorId() {
        return aggregatorId;
    }

    @Override
    public void onContextStarted(CamelContext started) {
        this.context = started;
        MeterRegistry registry = ContextMeters.lookup(started);
        if (registry == null) {
            LOG.debug("metric={} outcome=not-registered reason=no-metrics-registry", NAME);
            return;
        }
        Gauge.builder(NAME, this, OpenBuffersGauge::openBuffers)
                .description("Runs buffered, waiting for their final")
                .tag("aggregator", aggregatorId)
                .register(registry);
    }

    /** Buffers held by the aggregator now; NaN while it does not exist. */
    double openBuffers() {
        CamelContext current = context;
        AggregateProcessor aggregator = current == null ? null
                : current.getProcessor(aggregatorId, AggregateProcessor.class);
        AggregationRepository repository = aggregator == null ? null : aggregator.getAggregationRepository();
        if (repository == null) {
            return Double.NaN;
        }
        return repository instanceof RunBufferRepository buffers ? buffers.getOpenBuffers() : repository.getKeys().size();
    }
}
