package io.collavre.openclaw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's CPU time counters from {@code /proc/stat}. On a virtual machine the hypervisor can give the cores to
 * other guests ("steal"): figures measured while it does are not comparable with others, so the benchmark reports it.
 */
record HostCpu(long total, long steal) {

    private static final HostCpu UNKNOWN = new HostCpu(-1, -1);

    /** The counters now, or unknown when {@code /proc/stat} cannot be read (not Linux). */
    static HostCpu now() {
        try {
            // procfs files report a size of 0: read lines, not a sized read.
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            return parse(lines.isEmpty() ? "" : lines.get(0));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The aggregate {@code cpu} line: user nice system idle iowait irq softirq steal ... in clock ticks. */
    static HostCpu parse(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        if (fields.length < 9 || !fields[0].equals("cpu")) {
            return UNKNOWN;
        }
        long total = 0;
        // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
        for (int i = 1; i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new HostCpu(total, Long.parseLong(fields[8]));
    }

    /** Share of the CPU time since {@code before} that the hypervisor gave to others, as "12%", or "unknown". */
    String stolenSince(HostCpu before) {
        if (total < 0 || before.total < 0 || total <= before.total) {
            return "unknown";
        }
        return Math.round(100.0 * (steal - before.steal) / (total - before.total)) + "%";
    }
}
