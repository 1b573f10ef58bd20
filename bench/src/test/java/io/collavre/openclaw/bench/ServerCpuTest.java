package io.collavre.openclaw.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCpuTest {

    @Test
    void readsTheParentAndTheTimesAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (postgres: bridge (x) idle) S 4200 4200 4200 0 -1 4194560 900 0 0 0 17 5 3 2 20 0 1 0"
                      + " 1234 221184000 7000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

        assertArrayEquals(new long[] {4200, 17, 5, 3, 2}, ServerCpu.times(stat));
    }

    @Test
    void countsTheCpuOfTheProcessNamedInThePidFile(@TempDir Path data) throws Exception {
        // This JVM stands in for the postmaster: its CPU time grows as it works.
        Files.writeString(data.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + data + "\n");
        long before = ServerCpu.nanos(data);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long sum = 0;
        while (threads.getCurrentThreadCpuTime() - start < 300_000_000L) {
            sum += Long.numberOfTrailingZeros(sum + System.nanoTime());
        }
        long after = ServerCpu.nanos(data);

        assertTrue(before >= 0, "read from /proc");
        assertTrue(after - before >= 250_000_000L, "grew by this thread's 300 ms (ticks of 10 ms): " + (after - before)
                                                   + " ns, " + sum);
    }

    @Test
    void unknownWithoutAServer(@TempDir Path data) {
        assertEquals(-1, ServerCpu.nanos(data));
    }
}
