package io.collavre.openclaw.bridge.dedup;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * An in-memory idempotent repository whose keys are forgotten a fixed time after they were added.
 *
 * <p>Camel's {@code MemoryIdempotentRepository} bounds memory by count only, so a key may be remembered for
 * hours or forgotten in seconds depending on traffic; the bridge needs "suppressed for exactly the TTL".
 * The keys themselves are kept, in a map in insertion order; a size cap protects the heap against floods.
 * For many short-lived keys, {@link ExpiringFingerprintRepository} costs the garbage collector less.
 */
public class ExpiringIdempotentRepository extends ExpiringRepository {

    private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();

    public ExpiringIdempotentRepository() {
        this(System::nanoTime);
    }

    public ExpiringIdempotentRepository(LongSupplier nanoClock) {
        super(nanoClock, 1_000_000);
    }

    @Override
    public synchronized boolean add(String key) {
        long now = now();
        purgeExpired(now);
        if (expiries.containsKey(key)) {
            return false;
        }
        expiries.put(key, expiryOfANewKey(now));
        if (expiries.size() > maxSize()) {
            Iterator<String> oldest = expiries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    @Override
    public synchronized boolean contains(String key) {
        purgeExpired(now());
        return expiries.containsKey(key);
    }

    @Override
    public synchronized boolean remove(String key) {
        return expiries.remove(key) != null;
    }

    @Override
    public synchronized void clear() {
        expiries.clear();
    }

    @Override
    public synchronized int getSize() {
        purgeExpired(now());
        return expiries.size();
    }

    private void purgeExpired(long now) {
        Iterator<Map.Entry<String, Long>> it = expiries.entrySet().iterator();
        while (it.hasNext()) {
            if (!expired(it.next().getValue(), now)) {
                return;
            }
            it.remove();
        }
    }
}
