package io.collavre.openclaw.bridge.collavre;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * their delivery. Past {@code maxWaitingRuns} a run is not queued for Collavre: one thread of its own takes it, with
 * {@link #admit()} refusing it, so that it goes to the dead letter store (in-memory state) or stays in the state
 * store for its recovery (persistent state) instead of taking memory. The Gateway reader neither posts nor writes
 * the letter; only when {@value #TURNED_AWAY_QUEUE} turned-away runs wait for that thread does the thread that
 * completed a run write its letter itself.
 *
 * <p>A queued run's first post does not wait for a persistent state store to write the run down: waiting would
 * not make it safer (a crash before that write loses the run unless its post got through first; one after it finds
 * the run in the store), only later (docs/state-stores.md).
 */
public class DeliveryBacklog extends ScheduledThreadPoolExecutor {

    private static final ThreadLocal<Boolean> OVERFLOWING = ThreadLocal.withInitial(() -> Boolean.FALSE);
    static final int TURNED_AWAY_QUEUE = 1000;

    private final AtomicInteger waiting = new AtomicInteger();
    private volatile int maxWaitingRuns = 10_000;

    /** Runs turned away while the backlog is full: written down on this thread, not on the Gateway reader's. */
    private final ThreadPoolExecutor turnedAway = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(TURNED_AWAY_QUEUE), new NamedThreads("collavre-turned-away-"),
            new ThreadPoolExecutor.CallerRunsPolicy());

    public DeliveryBacklog(int threads) {
        super(threads, new NamedThreads("collavre-delivery-"));
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

    /** Completed runs handed over and not done yet. */
    public int getWaitingRuns() {
        return waiting.get();
    }

    /** A completed run handed over by the Aggregator: queued while there is room, else run here, refused. */
    @Override
    public void execute(Runnable completedRun) {
        if (waiting.incrementAndGet() <= maxWaitingRuns) {
            super.execute(completedRun);
            return;
        }
        turnedAway.execute(() -> {
            OVERFLOWING.set(Boolean.TRUE);
            try {
                completedRun.run();
            } finally {
                OVERFLOWING.set(Boolean.FALSE);
            }
        });
    }

    @Override
    public void shutdown() {
        turnedAway.shutdown();
        super.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        turnedAway.shutdownNow();
        return super.shutdownNow();
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
        private final String prefix;

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
