package io.collavre.openclaw.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreWaitsTest {

    static final long MS = 1_000_000;

    @Test
    void theWaitsOfAPhaseAreWhatTheCountersMovedByThe99thPercentileTheBoundOfItsBucket() {
        long[] bounds = {MS, 5 * MS, 20 * MS, 100 * MS};
        Subject.StoreWaits before = new Subject.StoreWaits(10, 50 * MS, bounds, new long[] {5, 9, 10, 10});
        // 100 waits in the phase: 90 under 1 ms, 9 more under 5 ms, the last one under 100 ms.
        Subject.StoreWaits after = new Subject.StoreWaits(110, 250 * MS, bounds, new long[] {95, 108, 109, 110});
        assertEquals(2.0, after.meanMsSince(before), 1e-9);
        assertEquals(5.0, after.p99BoundMsSince(before), 1e-9);
        Subject.StoreWaits slow = new Subject.StoreWaits(110, 250 * MS, bounds, new long[] {95, 105, 108, 110});
        assertEquals(100.0, slow.p99BoundMsSince(before), 1e-9);
        assertTrue(Double.isNaN(before.meanMsSince(before)), "no wait in the phase: no mean");
    }
}
