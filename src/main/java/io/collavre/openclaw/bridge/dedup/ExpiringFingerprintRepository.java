package io.collavre.openclaw.bridge.dedup;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * An in-memory idempotent repository for many short-lived keys, such as the identities of the frames seen in the
 * last seconds: it remembers a 64-bit fingerprint of each key, not the key, in arrays allocated once.
 *
 * <p>Why: kept as strings in a map, every key is a few small objects that each young garbage collection copies
 * for as long as the key lives. In the benchmark, 20,000 remembered frame identities were most of what the
 * bridge's young collections copied (pauses of 11 ms against 7 ms with 2,000). Here a key costs 40 to 64 bytes of
 * arrays and the collector nothing, however many there are.
 *
 * <p>The price: two different keys are taken for the same one if their fingerprints match, a chance of about
 * {@code n / 2^64} for a key checked against {@code n} remembered ones (1 in 10^15 with 20,000). A removed key
 * keeps its place in the insertion order until its time is up, so for that long the cap counts it.
 */
public class ExpiringFingerprintRepository extends ExpiringRepository {

    private static final long EMPTY = 0;
    /** Keeps the table at most half full. */
    private static final int MAX_CAPACITY = 1 << 28;

    // The keys remembered, oldest first: a ring of fingerprints (EMPTY once removed) and their expiry times.
    private long[] ringPrints;
    private long[] ringExpiries;
    private int head;
    private int count;
    private int live;

    // Fingerprint -> ring slot, open addressing with linear probing.
    private long[] tablePrints;
    private int[] tableSlots;
    private int mask;

    public ExpiringFingerprintRepository() {
        this(System::nanoTime);
    }

    public ExpiringFingerprintRepository(LongSupplier nanoClock) {
        super(nanoClock, 100_000);
    }

    /** At most this many keys are remembered; the arrays are sized for them. Setting it forgets every key. */
    @Override
    public synchronized void setMaxSize(int maxSize) {
        if (maxSize > MAX_CAPACITY) {
            throw new IllegalArgumentException("maxSize must be at most " + MAX_CAPACITY + ", was " + maxSize);
        }
        super.setMaxSize(maxSize);
        ringPrints = null;
    }

    @Override
    public synchronized boolean add(String key) {
        long now = now();
        purgeExpired(now);
        long print = fingerprint(key);
        if (find(print) >= 0) {
            return false;
        }
        if (count == ringPrints.length) {
            dropOldest();
        }
        int slot = head + count;
        if (slot >= ringPrints.length) {
            slot -= ringPrints.length;
        }
        ringPrints[slot] = print;
        ringExpiries[slot] = expiryOfANewKey(now);
        count++;
        live++;
        int i = home(print);
        while (tablePrints[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        tablePrints[i] = print;
        tableSlots[i] = slot;
        return true;
    }

    @Override
    public synchronized boolean contains(String key) {
        purgeExpired(now());
        return find(fingerprint(key)) >= 0;
    }

    @Override
    public synchronized boolean remove(String key) {
        allocated();
        int i = find(fingerprint(key));
        if (i < 0) {
            return false;
        }
        ringPrints[tableSlots[i]] = EMPTY;
        deleteAt(i);
        return true;
    }

    @Override
    public synchronized void clear() {
        if (ringPrints != null) {
            Arrays.fill(ringPrints, EMPTY);
            Arrays.fill(tablePrints, EMPTY);
        }
        head = 0;
        count = 0;
        live = 0;
    }

    @Override
    public synchronized int getSize() {
        purgeExpired(now());
        return live;
    }

    /**
     * A 64-bit hash of the key's characters: FNV-1a, then MurmurHash3's finalizer, whose low bits (the table's
     * index) depend on every bit of the input. Never {@link #EMPTY}.
     */
    static long fingerprint(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == EMPTY ? 1 : h;
    }

    private void allocated() {
        if (ringPrints == null) {
            int capacity = maxSize();
            ringPrints = new long[capacity];
            ringExpiries = new long[capacity];
            // The smallest power of two at least twice the capacity.
            int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
            tablePrints = new long[tableSize];
            tableSlots = new int[tableSize];
            mask = tableSize - 1;
            head = 0;
            count = 0;
            live = 0;
        }
    }

    private void purgeExpired(long now) {
        allocated();
        while (count > 0 && expired(ringExpiries[head], now)) {
            dropOldest();
        }
    }

    private void dropOldest() {
        long print = ringPrints[head];
        if (print != EMPTY) {
            // The table holds each fingerprint once, for its latest slot (a removed key's slot is EMPTY).
            int i = find(print);
            if (i >= 0 && tableSlots[i] == head) {
                deleteAt(i);
            }
            ringPrints[head] = EMPTY;
        }
        head = head + 1 == ringPrints.length ? 0 : head + 1;
        count--;
    }

    private int home(long print) {
        return (int) print & mask;
    }

    private int find(long print) {
        int i = home(print);
        long at;
        while ((at = tablePrints[i]) != EMPTY) {
            if (at == print) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Empties a table cell, moving back the entries after it that could no longer be found (Knuth's Algorithm R). */
    private void deleteAt(int hole) {
        live--;
        int i = hole;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            long print = tablePrints[j];
            if (print == EMPTY) {
                break;
            }
            int home = home(print);
            boolean reachableWithoutTheHole = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!reachableWithoutTheHole) {
                tablePrints[i] = print;
                tableSlots[i] = tableSlots[j];
                i = j;
            }
        }
        tablePrints[i] = EMPTY;
    }
}
