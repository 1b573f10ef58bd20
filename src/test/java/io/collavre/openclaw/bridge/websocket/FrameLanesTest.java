package io.collavre.openclaw.bridge.websocket;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameLanesTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(1);
    private final FrameLanes lanes = new FrameLanes(threads);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void lanesWithFramesWaitingTakeTurnsOnTheThread() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<String> order = new ArrayList<>();
        FrameLanes.Lane a = lanes.lane("a");
        FrameLanes.Lane b = lanes.lane("b");
        // Holds the only thread while both lanes fill up.
        a.offer(() -> await(gate));
        int each = 2 * FrameLanes.TURN;
        for (int i = 0; i < each; i++) {
            int n = i;
            a.offer(() -> order.add("a" + n));
            b.offer(() -> order.add("b" + n));
        }
        gate.countDown();
        a.close(5000);
        b.close(5000);

        List<String> expected = new ArrayList<>();
        // a's first turn ran the gate and TURN - 1 frames; then b, a, b, a take full turns.
        for (int i = 0; i < FrameLanes.TURN - 1; i++) {
            expected.add("a" + i);
        }
        for (int turn = 0; turn < 2; turn++) {
            for (int i = 0; i < FrameLanes.TURN; i++) {
                expected.add("b" + (turn * FrameLanes.TURN + i));
            }
            for (int i = 0; i < FrameLanes.TURN && FrameLanes.TURN - 1 + turn * FrameLanes.TURN + i < each; i++) {
                expected.add("a" + (FrameLanes.TURN - 1 + turn * FrameLanes.TURN + i));
            }
        }
        assertEquals(expected, order);
    }

    @Test
    void framesOfOneLaneRunOneAtATimeInOrderOnManyThreads() throws Exception {
        ExecutorService four = Executors.newFixedThreadPool(4);
        try {
            FrameLanes.Lane lane = new FrameLanes(four).lane("a");
            AtomicInteger running = new AtomicInteger();
            AtomicInteger mostAtOnce = new AtomicInteger();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                int n = i;
                assertTrue(lane.offer(() -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    order.add(n);
                    running.decrementAndGet();
                }));
            }
            lane.close(10_000);
            assertEquals(1, mostAtOnce.get());
            assertEquals(20_000, order.size());
            for (int i = 0; i < order.size(); i++) {
                assertEquals(i, order.get(i));
            }
        } finally {
            four.shutdownNow();
        }
    }

    @Test
    void closeWaitsForTheFramesTakenThenRefusesMore() throws Exception {
        FrameLanes.Lane lane = lanes.lane("a");
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            lane.offer(() -> {
                sleepQuietly();
                ran.incrementAndGet();
            });
        }
        lane.close(10_000);
        assertEquals(100, ran.get());
        assertFalse(lane.offer(ran::incrementAndGet));
        assertEquals(100, ran.get());
    }

    @Test
    void closeDropsWhatIsLeftAtItsDeadlineAndInterruptsTheFrameStillRunning() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch interrupted = new CountDownLatch(1);
        FrameLanes.Lane lane = laneStuckOnItsFirstFrame(interrupted, 10, ran);

        lane.close(50);

        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the stuck frame was interrupted");
        assertThreadFreeAndNotInterrupted();
        assertEquals(0, ran.get(), "frames dropped at the deadline never run");
    }

    @Test
    void anInterruptedCloseDropsTheFramesAndInterruptsTheOneRunning() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch interrupted = new CountDownLatch(1);
        FrameLanes.Lane lane = laneStuckOnItsFirstFrame(interrupted, 1, ran);
        Thread.currentThread().interrupt();
        try {
            lane.close(10_000);
            throw new AssertionError("close should have been interrupted");
        } catch (InterruptedException expected) {
            assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the running frame was interrupted");
        }
        assertThreadFreeAndNotInterrupted();
        assertEquals(0, ran.get(), "frames dropped by an interrupted close never run");
    }

    /** The only thread runs another lane's frame, with no interrupt left over from the closed lane. */
    private void assertThreadFreeAndNotInterrupted() throws InterruptedException {
        FrameLanes.Lane other = lanes.lane("other");
        CountDownLatch otherRan = new CountDownLatch(1);
        AtomicInteger interruptedThere = new AtomicInteger();
        other.offer(() -> {
            if (Thread.currentThread().isInterrupted()) {
                interruptedThere.incrementAndGet();
            }
            otherRan.countDown();
        });
        assertTrue(otherRan.await(5, TimeUnit.SECONDS), "the thread is free again");
        assertEquals(0, interruptedThere.get());
    }

    /**
     * A lane whose first frame, now running, blocks until interrupted (then counts {@code interrupted} down), with
     * {@code queued} frames behind it that count {@code ran} up.
     */
    private FrameLanes.Lane laneStuckOnItsFirstFrame(CountDownLatch interrupted, int queued, AtomicInteger ran)
            throws InterruptedException {
        FrameLanes.Lane lane = lanes.lane("a");
        CountDownLatch running = new CountDownLatch(1);
        lane.offer(() -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        for (int i = 0; i < queued; i++) {
            lane.offer(ran::incrementAndGet);
        }
        assertTrue(running.await(5, TimeUnit.SECONDS));
        return lane;
    }

    private static void await(CountDownLatch gate) {
        try {
            assertTrue(gate.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
