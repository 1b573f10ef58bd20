package io.collavre.openclaw.bridge.websocket;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frame processing for every connection on a few shared threads. Each connection has a {@link Lane}: its frames
 * run one at a time, in arrival order, and lanes with frames waiting take turns on the threads.
 *
 * <p>Why not a thread per connection: with many accounts, as many threads would contend for the same few cores
 * and for the locks every frame takes on its way through the routes (the Aggregator's above all); after any
 * stall (a GC pause) they convoy on them and the backlog takes far longer to clear. A few threads keep that
 * contention as low as the cores allow, whatever the number of connections.
 */
final class FrameLanes {

    /** Frames a lane runs before it lets the next lane have the thread: keeps lanes taking fair turns. */
    static final int TURN = 32;

    private static final Logger LOG = LoggerFactory.getLogger(FrameLanes.class);

    private final Executor threads;

    FrameLanes(Executor threads) {
        this.threads = threads;
    }

    /** A new lane for one connection's frames. */
    Lane lane(String account) {
        return new Lane(account);
    }

    /** One connection's frames: run in order, one at a time, on the shared threads. */
    final class Lane {

        private final String account;
        private final Queue<Runnable> frames = new ConcurrentLinkedQueue<>();
        /** True while a turn of this lane is queued on, or running on, a shared thread. */
        private final AtomicBoolean scheduled = new AtomicBoolean();
        /** The shared thread running this lane's turn, if one is; set and cleared under the lane's lock. */
        private Thread runner;
        private volatile boolean closed;

        private Lane(String account) {
            this.account = account;
        }

        /**
         * Queues a frame's work behind this lane's earlier frames.
         *
         * @return false, and the work will never run, once the lane is closed
         */
        boolean offer(Runnable frame) {
            if (closed) {
                return false;
            }
            frames.add(frame);
            if (closed && frames.remove(frame)) {
                // Closed meanwhile, and the close has not taken it: the caller counts it as dropped.
                return false;
            }
            schedule();
            return true;
        }

        private void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    threads.execute(this::turn);
                } catch (RejectedExecutionException e) {
                    // Only while the component stops, after its consumers: what is left is dropped by their close.
                    scheduled.set(false);
                    if (closed) {
                        wakeCloser();
                    }
                    LOG.debug("account={} frames=waiting outcome=not-scheduled reason=frame-threads-stopped", account);
                }
            }
        }

        private void turn() {
            synchronized (this) {
                runner = Thread.currentThread();
            }
            try {
                for (int i = 0; i < TURN; i++) {
                    Runnable frame = frames.poll();
                    if (frame == null) {
                        break;
                    }
                    try {
                        frame.run();
                    } catch (RuntimeException e) {
                        // The consumer's frame work handles its own failures; this keeps a bug there from
                        // stalling the lane.
                        LOG.error("account={} frame=failed outcome=dropped error={}", account, e.toString());
                    }
                }
            } finally {
                synchronized (this) {
                    runner = null;
                    // An interrupt a close of this lane sent is this lane's alone: the thread goes on to other lanes.
                    Thread.interrupted();
                }
                scheduled.set(false);
                if (!frames.isEmpty()) {
                    schedule();
                } else if (closed) {
                    wakeCloser();
                }
            }
        }

        private synchronized void wakeCloser() {
            notifyAll();
        }

        /**
         * Takes no more frames, waits up to {@code timeoutMillis} for those taken to run, then drops the rest and
         * interrupts the one still running, if any, as stopping a thread of the lane's own would: a frame stuck in a
         * route must not keep a shared thread from the other connections.
         *
         * @throws InterruptedException when interrupted while waiting; the frames are dropped and interrupted first
         */
        void close(long timeoutMillis) throws InterruptedException {
            closed = true;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            try {
                synchronized (this) {
                    long left;
                    while ((!frames.isEmpty() || scheduled.get())
                           && (left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) > 0) {
                        wait(left);
                    }
                }
            } finally {
                frames.clear();
                synchronized (this) {
                    if (runner != null) {
                        runner.interrupt();
                    }
                }
            }
        }
    }
}
