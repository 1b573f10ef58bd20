package io.collavre.openclaw.bridge.chat;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.ContextScope;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.spi.RecoverableAggregationRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The run buffers' aggregation repository: stores them in the given repository (in memory, or a persistent one
 * with recovery) and keeps count of the open buffers, so that the route can refuse a new run when the cap is
 * reached without asking the store for its keys on every frame. With a store shared by several bridges
 * ({@link AccountBufferHandover}) the count is this bridge's: the buffers of the accounts it reads. The buffers
 * outlive the Aggregator's route: a live reload of its file stops the Aggregator and with it this repository, which
 * keeps them for the new one ({@link ContextScope}).
 */
@ManagedResource(description = "Run buffers of the aggregator, with a cap on how many may be open")
public class RunBufferRepository extends ServiceSupport
        implements RecoverableAggregationRepository, CamelContextAware {

    private final AggregationRepository store;
    private CamelContext camelContext;
    private final Set<String> open = ConcurrentHashMap.newKeySet();
    private int maxOpenBuffers = Integer.MAX_VALUE;

    public RunBufferRepository(AggregationRepository store) {
        this.store = store;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** At most this many runs are buffered at once; deltas of further runs are refused. */
    public void setMaxOpenBuffers(int maxOpenBuffers) {
        if (maxOpenBuffers <= 0) {
            throw new IllegalArgumentException("maxOpenBuffers must be positive, was " + maxOpenBuffers);
        }
        this.maxOpenBuffers = maxOpenBuffers;
    }

    @ManagedAttribute(description = "Most runs buffered at once")
    public int getMaxOpenBuffers() {
        return maxOpenBuffers;
    }

    /** True when the run is buffered already or there is room for one more buffer. */
    public boolean hasRoomFor(String runId) {
        return open.contains(runId) || open.size() < maxOpenBuffers;
    }

    /**
     * Matches a delta of a run that has no buffer while the cap is reached: the run-buffer route refuses it. A
     * predicate rather than a bean call in Simple, because it is asked of every event.
     */
    public Predicate deltaOverCap() {
        return exchange -> "delta".equals(exchange.getMessage().getHeader(BridgeHeaders.STATE))
                           && !hasRoomFor(exchange.getMessage().getHeader(BridgeHeaders.RUN_ID, String.class));
    }

    /** Matches a final of a run that has no buffer yet: the run-buffer route opens one first. */
    public Predicate finalWithoutBuffer() {
        return exchange -> "final".equals(exchange.getMessage().getHeader(BridgeHeaders.STATE))
                           && !isOpen(exchange.getMessage().getHeader(BridgeHeaders.RUN_ID, String.class));
    }

    /** True when the run has a buffer. */
    public boolean isOpen(String runId) {
        return open.contains(runId);
    }

    @ManagedAttribute(description = "Runs buffered now")
    public int getOpenBuffers() {
        return open.size();
    }

    /** The run ids this bridge buffers now, as a snapshot. */
    public List<String> openRunIds() {
        return List.copyOf(open);
    }

    @Override
    public Exchange add(CamelContext camelContext, String key, Exchange exchange) {
        Exchange previous = store.add(camelContext, key, exchange);
        open.add(key);
        return previous;
    }

    /**
     * This bridge starts reading the account: a shared store's buffers of it are taken over and count as open;
     * returns their run ids.
     */
    public Set<String> takeOver(String account) {
        if (store instanceof AccountBufferHandover handover) {
            Set<String> taken = handover.takeOver(account);
            open.addAll(taken);
            return taken;
        }
        return Set.of();
    }

    /** This bridge stopped reading the account: a shared store's buffers of it are handed over. */
    public void handOver(String account) {
        if (store instanceof AccountBufferHandover handover) {
            open.removeAll(handover.handOver(account));
        }
    }

    @Override
    public Exchange get(CamelContext camelContext, String key) {
        Exchange buffered = store.get(camelContext, key);
        if (buffered == null) {
            // Completed, purged or handed over.
            open.remove(key);
        }
        return buffered;
    }

    @Override
    public void remove(CamelContext camelContext, String key, Exchange exchange) {
        store.remove(camelContext, key, exchange);
        open.remove(key);
    }

    @Override
    public void confirm(CamelContext camelContext, String exchangeId) {
        store.confirm(camelContext, exchangeId);
    }

    @Override
    public Set<String> getKeys() {
        return store.getKeys();
    }

    private RecoverableAggregationRepository recoverable() {
        return store instanceof RecoverableAggregationRepository r ? r : null;
    }

    @Override
    public Set<String> scan(CamelContext camelContext) {
        return recoverable() == null ? Collections.emptySet() : recoverable().scan(camelContext);
    }

    @Override
    public Exchange recover(CamelContext camelContext, String exchangeId) {
        return recoverable() == null ? null : recoverable().recover(camelContext, exchangeId);
    }

    @Override
    @Deprecated
    public void setRecoveryInterval(long interval, java.util.concurrent.TimeUnit timeUnit) {
        setRecoveryInterval(timeUnit.toMillis(interval));
    }

    @Override
    public void setRecoveryInterval(long interval) {
        if (recoverable() != null) {
            recoverable().setRecoveryInterval(interval);
        }
    }

    @Override
    public long getRecoveryInterval() {
        return recoverable() == null ? 5000 : recoverable().getRecoveryInterval();
    }

    @Override
    public boolean isUseRecovery() {
        return recoverable() != null && recoverable().isUseRecovery();
    }

    @Override
    public void setUseRecovery(boolean useRecovery) {
        if (recoverable() != null) {
            recoverable().setUseRecovery(useRecovery);
        }
    }

    @Override
    public void setDeadLetterUri(String deadLetterUri) {
        if (recoverable() != null) {
            recoverable().setDeadLetterUri(deadLetterUri);
        }
    }

    @Override
    public String getDeadLetterUri() {
        return recoverable() == null ? null : recoverable().getDeadLetterUri();
    }

    @Override
    public void setMaximumRedeliveries(int maximumRedeliveries) {
        if (recoverable() != null) {
            recoverable().setMaximumRedeliveries(maximumRedeliveries);
        }
    }

    @Override
    public int getMaximumRedeliveries() {
        return recoverable() == null ? 0 : recoverable().getMaximumRedeliveries();
    }

    @Override
    protected void doStart() throws Exception {
        ServiceHelper.startService(store);
        // Buffers a persistent store kept over a restart count from the start.
        open.clear();
        open.addAll(store.getKeys());
    }

    @Override
    protected void doStop() throws Exception {
        if (!ContextScope.endsWith(camelContext)) {
            // Only the Aggregator's route stops (a live reload): the buffers wait for the new one.
            return;
        }
        ServiceHelper.stopService(store);
        open.clear();
    }
}
