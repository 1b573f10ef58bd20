package io.collavre.openclaw.bridge.dedup;

import java.util.function.LongSupplier;

import io.collavre.openclaw.bridge.ContextScope;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * What the bridge's in-memory idempotent repositories share: a key is forgotten a fixed time after it was added
 * (a second add does not extend it), and at most {@code maxSize} keys are remembered, the oldest forgotten first.
 * Because every key lives for the same time, insertion order is expiry order: expired keys are always the oldest
 * and are purged in amortised constant time on every call. What it remembers outlives the route that uses it (a
 * live reload stops that route): it is forgotten only when the bridge stops ({@link ContextScope}).
 */
@ManagedResource(description = "Idempotent repository whose keys expire after a fixed TTL")
public abstract class ExpiringRepository extends ServiceSupport implements IdempotentRepository, CamelContextAware {

    private final LongSupplier nanoClock;
    private long ttlNanos;
    private int maxSize;
    private CamelContext camelContext;

    protected ExpiringRepository(LongSupplier nanoClock, int defaultMaxSize) {
        this.nanoClock = nanoClock;
        this.maxSize = defaultMaxSize;
        setTtlSeconds(60);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** How long a key is remembered. */
    public void setTtlSeconds(long ttlSeconds) {
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("ttlSeconds must be positive, was " + ttlSeconds);
        }
        this.ttlNanos = ttlSeconds * 1_000_000_000L;
    }

    public void setTtlMillis(long ttlMillis) {
        if (ttlMillis <= 0) {
            throw new IllegalArgumentException("ttlMillis must be positive, was " + ttlMillis);
        }
        this.ttlNanos = ttlMillis * 1_000_000L;
    }

    /** At most this many keys are remembered; the oldest are forgotten first. */
    public void setMaxSize(int maxSize) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be positive, was " + maxSize);
        }
        this.maxSize = maxSize;
    }

    protected int maxSize() {
        return maxSize;
    }

    /** The time a key added now expires at. */
    protected long expiryOfANewKey(long now) {
        return now + ttlNanos;
    }

    protected long now() {
        return nanoClock.getAsLong();
    }

    /** Whether a key that expires at {@code expiry} is expired at {@code now} (safe across nanoTime wraparound). */
    protected static boolean expired(long expiry, long now) {
        return expiry - now <= 0;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @ManagedAttribute(description = "Number of keys remembered now")
    public abstract int getSize();

    @Override
    protected void doStop() {
        if (ContextScope.endsWith(camelContext)) {
            clear();
        }
    }
}
