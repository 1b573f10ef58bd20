package io.collavre.openclaw.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU time of a PostgreSQL server the benchmark started, from {@code /proc}: its postmaster's and that of its
 * processes (a backend per connection, the writer, the autovacuum workers), those that ended included (counted in the
 * postmaster's children's time once it reaped them). The server shares the machine's cores with the subject: what it
 * takes is what the PostgreSQL store costs beyond the bridge's own CPU.
 */
final class ServerCpu {

    /** procfs reports process times in USER_HZ, 100 ticks a second on Linux whatever the kernel's own HZ. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ServerCpu() {
    }

    /** The server's CPU time so far in ns, or -1 when unknown (not Linux, or the server not running). */
    static long nanos(Path dataDir) {
        try {
            List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            long postmaster = Long.parseLong(pidFile.get(0).trim());
            long[] own = times(Files.readString(Path.of("/proc", Long.toString(postmaster), "stat")));
            long ticks = own[1] + own[2] + own[3] + own[4];
            try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path process : processes) {
                    try {
                        long[] child = times(Files.readString(process.resolve("stat")));
                        if (child[0] == postmaster) {
                            ticks += child[1] + child[2];
                        }
                    } catch (IOException | RuntimeException ended) {
                        // Gone since the listing, or not readable: its time is its parent's to count.
                    }
                }
            }
            return ticks * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * From a {@code /proc/<pid>/stat} line: the parent's pid, then utime, stime, cutime and cstime, in ticks. The
     * command name, in parentheses, may hold spaces and parentheses: the fields are counted from the last ')'.
     */
    static long[] times(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
        return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[11]), Long.parseLong(fields[12]),
                Long.parseLong(fields[13]), Long.parseLong(fields[14])};
    }
}
