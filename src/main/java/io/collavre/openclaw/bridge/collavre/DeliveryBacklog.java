package io.collavre.openclaw.bridge.collavre;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The threads and the backlog of the Collavre delivery, so that a slow or absent Collavre never holds up the Gateway
 * reader. The Aggregator hands every completed run to it ({@code executorService} in routes/run-buffer.yaml) and the
 * delivery's retries wait on it ({@code executorServiceRef} of collavre-delivery's dead letter channel): at most
 * {@code threads} posts are in flight, first attempts and retries together, and camel-http's connection pool has as
 * many connections, so no post waits for one.
 *
 * <p>Completed runs that wait (queued, being posted, or between retries) are counted from hand-over to the end of
 * their delivery. Past {@code maxWaitingRuns} a run is not queued: it runs on the thread that completed it, with
 * {@link #admit()} refusing it, so that it goes to the dead letter store (in-memory state) or stays in the state
 * store for its recovery (persistent state) instead of taking memory; the Gateway reader never posts.
 *
 * <p>With a store that writes completed runs behind ({@link #setStateWrites}), a queued run's delivery starts once
 * the store's writes made before its hand-over are on disk: the run's outbox row is written before its first post,
 * and the Gateway reader, which completed it, does not wait for the disk.
 */
public class DeliveryBacklog extends ScheduledThreadPoolExecutor {

    private static final ThreadLocal<Boolean> OVERFLOWING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final AtomicInteger waiting = new AtomicInteger();
    private volatile int maxWaitingRuns = 10_000;
    private volatile LongSupplier lastStateWrite = () -> 0;
    private volatile LongConsumer awaitStateWritten = number -> { };

    public DeliveryBacklog(int threads) {
        super(threads, new NamedThreads());
        setRemoveOnCancelPolicy(true);
    }

    /** Completed runs that may wait for Collavre before further ones are turned away. */
    public void setMaxWaitingRuns(int maxWaitingRuns) {
        if (maxWaitingRuns <= 0) {
            throw new IllegalArgumentException("maxWaitingRuns must be positive, was " + maxWaitingRuns);
        }
        this.maxWaitingRuns = maxWaitingRuns;
    }

    public int getMaxWaitingRuns() {
        return maxWaitingRuns;
    }

    /**
     * The state store's write numbering: the number of the last write asked for, and a wait until a number is on
     * disk. Without it (in-memory state) runs are delivered at once.
     */
    public void setStateWrites(LongSupplier lastWrite, LongConsumer awaitWritten) {
        this.lastStateWrite = lastWrite;
        this.awaitStateWritten = awaitWritten;
    }

    /** Completed runs handed over and not done yet. */
    public int getWaitingRuns() {
        return waiting.get();
    }

    /** A completed run handed over by the Aggregator: queued while there is room, else run here, refused. */
    @Override
    public void execute(Runnable completedRun) {
        if (waiting.incrementAndGet() <= maxWaitingRuns) {
            long written = lastStateWrite.getAsLong();
            super.execute(written == 0 ? completedRun : () -> {
                awaitStateWritten.accept(written);
                completedRun.run();
            });
            return;
        }
        OVERFLOWING.set(Boolean.TRUE);
        try {
            completedRun.run();
        } finally {
            OVERFLOWING.set(Boolean.FALSE);
        }
    }

    /** The first step of a handed-over run: it stops counting as waiting once its exchange is done. */
    public void track(Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                waiting.decrementAndGet();
            }
        });
    }

    /** Lets a run into the delivery, unless it came while the backlog is full. */
    public void admit() {
        if (OVERFLOWING.get()) {
            throw new DeliveryBacklogFull(maxWaitingRuns);
        }
    }

    /** A completed run came while {@code maxWaitingRuns} runs were waiting for Collavre already. */
    public static final class DeliveryBacklogFull extends RuntimeException {

        private static final long serialVersionUID = 1L;

        DeliveryBacklogFull(int maxWaitingRuns) {
            super(maxWaitingRuns + " completed runs are waiting for Collavre already");
        }
    }

    private static final class NamedThreads implements ThreadFactory {

        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "collavre-delivery-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
