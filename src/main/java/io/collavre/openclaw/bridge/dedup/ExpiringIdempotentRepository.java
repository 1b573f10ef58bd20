package io.collavre.openclaw.bridge.dedup;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * An in-memory idempotent repository whose keys are forgotten a fixed time after they were added.
 *
 * <p>Camel's {@code MemoryIdempotentRepository} bounds memory by count only, so a key may be remembered for
 * hours or forgotten in seconds depending on traffic; the bridge needs "suppressed for exactly the TTL".
 * Because every key lives for the same TTL, insertion order is expiry order: expired keys are always at the
 * head of the map and are purged in amortised constant time on every call. A size cap protects the heap
 * against floods; when it is reached the oldest keys go first.
 */
@ManagedResource(description = "Idempotent repository whose keys expire after a fixed TTL")
public class ExpiringIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();
    private final LongSupplier nanoClock;
    private long ttlNanos;
    private int maxSize = 1_000_000;

    public ExpiringIdempotentRepository() {
        this(System::nanoTime);
    }

    public ExpiringIdempotentRepository(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        setTtlSeconds(60);
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

    @Override
    public synchronized boolean add(String key) {
        long now = nanoClock.getAsLong();
        purgeExpired(now);
        if (expiries.containsKey(key)) {
            return false;
        }
        expiries.put(key, now + ttlNanos);
        if (expiries.size() > maxSize) {
            Iterator<String> oldest = expiries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    @Override
    public synchronized boolean contains(String key) {
        purgeExpired(nanoClock.getAsLong());
        return expiries.containsKey(key);
    }

    @Override
    public synchronized boolean remove(String key) {
        return expiries.remove(key) != null;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        expiries.clear();
    }

    @ManagedAttribute(description = "Number of keys remembered now")
    public synchronized int getSize() {
        purgeExpired(nanoClock.getAsLong());
        return expiries.size();
    }

    private void purgeExpired(long now) {
        Iterator<Map.Entry<String, Long>> it = expiries.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() - now > 0) {
                return;
            }
            it.remove();
        }
    }

    @Override
    protected void doStop() {
        clear();
    }
}
