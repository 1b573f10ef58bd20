package io.collavre.openclaw.bridge.collavre;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryBacklogTest {

    private final DeliveryBacklog backlog = new DeliveryBacklog(2);

    @AfterEach
    void shutDown() {
        backlog.shutdownNow();
    }

    @Test
    void aQueuedRunIsDeliveredAtOnce() throws Exception {
        CountDownLatch delivered = new CountDownLatch(1);
        backlog.execute(delivered::countDown);
        assertTrue(delivered.await(5, TimeUnit.SECONDS));
    }

    @Test
    void aRunPastTheBoundIsRefusedOnAThreadOfItsOwnNotOnTheThreadThatCompletedIt() throws Exception {
        backlog.setMaxWaitingRuns(1);
        CountDownLatch firstHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        backlog.execute(() -> {
            firstHeld.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(firstHeld.await(5, TimeUnit.SECONDS));

        List<String> turnedAway = new CopyOnWriteArrayList<>();
        CountDownLatch refused = new CountDownLatch(1);
        backlog.execute(() -> {
            try {
                backlog.admit();
                turnedAway.add("admitted");
            } catch (DeliveryBacklog.DeliveryBacklogFull full) {
                turnedAway.add("refused on " + Thread.currentThread().getName());
            }
            refused.countDown();
        });
        assertTrue(refused.await(5, TimeUnit.SECONDS));
        release.countDown();
        assertEquals(List.of("refused on collavre-turned-away-1"), turnedAway);
    }
}
