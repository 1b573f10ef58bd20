package io.collavre.openclaw.bridge.dedup;

import java.util.function.LongSupplier;

/**
 * The dedup memory in memory ({@link ExpiringIdempotentRepository}), its changes written behind by a durable store
 * ({@link Writes}), and read back at start: a run dispatched just before a restart is still known after it. The
 * delivery thread never waits for the disk; a crash loses at most the keys of the store's last group commit (a few
 * ms), which a run completed in those ms would lose anyway.
 */
public class WrittenBehindIdempotentRepository extends ExpiringIdempotentRepository {

    /** Where the keys are written: the embedded store's writer (state/WriteBehindRunBufferStore). */
    public interface Writes {
        /** The keys added within the TTL before a restart, oldest first. */
        Iterable<String> rememberedKeys();

        void added(String key);

        void removed(String key);
    }

    private final Writes writes;

    public WrittenBehindIdempotentRepository(Writes writes) {
        this(writes, System::nanoTime);
    }

    public WrittenBehindIdempotentRepository(Writes writes, LongSupplier nanoClock) {
        super(nanoClock);
        this.writes = writes;
    }

    @Override
    public synchronized boolean add(String key) {
        boolean added = super.add(key);
        if (added) {
            writes.added(key);
        }
        return added;
    }

    @Override
    public synchronized boolean remove(String key) {
        boolean removed = super.remove(key);
        if (removed) {
            writes.removed(key);
        }
        return removed;
    }

    @Override
    protected void doStart() {
        // Read back once; a key keeps a whole TTL from the restart on, so it is remembered a little longer, never less.
        if (getSize() == 0) {
            for (String key : writes.rememberedKeys()) {
                super.add(key);
            }
        }
    }
}
