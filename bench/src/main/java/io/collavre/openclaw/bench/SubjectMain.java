package io.collavre.openclaw.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import io.collavre.openclaw.bridge.BridgeMain;
import io.collavre.openclaw.bridge.ops.StateBufferWrites;
import io.collavre.openclaw.bridge.ops.StateWriteWaitTimer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.Main;

/**
 * The process under test: the bridge (Camel Main with the YAML routes, as {@code BridgeMain} starts it) or the
 * hand-written baseline, started in a JVM of its own so that its heap and CPU time are its own. It answers the
 * benchmark's questions over a local socket, one line each:
 * {@code cpu} (process CPU ns), {@code jit} (ms its JIT compilers have spent so far), {@code mem} (heap used after
 * a full GC, and the peak heap used before any GC since the last {@code reset}), {@code reset}, {@code stalls}
 * (collections that paused the JVM: count, total ns, and the longest since the last {@code stalls}),
 * {@code storewait} (the bridge's waits for its state store's commit, see {@link #storeWaits}), {@code alloc} (heap
 * bytes allocated so far), {@code bufferwrites} (open buffers its state store has written behind so far, -1 without
 * a durable store), {@code stop}.
 *
 * <p>Arguments: {@code bridge|baseline accountsFile collavreUrl routesDir controlPort}.
 */
public final class SubjectMain {

    private static final AtomicLong PEAK = new AtomicLong();
    /** Collections that paused the subject (not those we asked for, not concurrent cycles): count, time, longest. */
    private static final AtomicLong PAUSES = new AtomicLong();
    private static final AtomicLong PAUSE_NANOS = new AtomicLong();
    private static final AtomicLong LONGEST_PAUSE_NANOS = new AtomicLong();

    /** Time the JIT compilers have spent so far, in ms (-1 where the JVM does not tell). */
    private static long compileMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Bytes allocated on the heap so far by all threads, those ended included (-1 where the JVM does not tell): what
     * a subject allocates per event is what its collector has to clear.
     */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
            && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    private SubjectMain() {
    }

    public static void main(String[] args) throws Exception {
        String side = args[0];
        Path accounts = Path.of(args[1]);
        String collavreUrl = args[2];
        Path routesDir = Path.of(args[3]);
        int port = Integer.parseInt(args[4]);
        watchPeakHeap();

        AutoCloseable subject;
        Supplier<String> storeWaits = () -> "storewait none";
        LongSupplier bufferWrites = () -> -1;
        if ("bridge".equals(side)) {
            Main main = BridgeMain.newMain();
            main.addOverrideProperty("bridge.routes-dir", routesDir.toAbsolutePath().toString());
            main.addOverrideProperty("openclaw.accounts-file", accounts.toAbsolutePath().toString());
            main.addOverrideProperty("collavre.url", collavreUrl);
            // The open-buffers phase holds up to 100,000 runs of 1 KB: the shipped cap (5,000 runs of up to
            // 20,000 chars) bounds the worst case instead, so it is raised here, and the text cap stays.
            main.addOverrideProperty("proactive.max-open-buffers", "200000");
            // Any free port, unless the soak asks for one to read the developer console on.
            main.addOverrideProperty("bridge.management.port", System.getProperty("bench.management-port", "0"));
            // Every subject starts as a fresh install: an embedded store's state (open buffers, and dispatched run
            // ids that the next subject's runs, drawn from the same seed, would repeat) is not carried over.
            Path stateDir = Files.createTempDirectory("bench-state-");
            main.addOverrideProperty("proactive.state-dir", stateDir.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    BenchFiles.deleteTree(stateDir);
                } catch (java.io.IOException e) {
                    // a temporary folder: left for the system to clean
                }
            }));
            main.start();
            subject = main::stop;
            storeWaits = () -> storeWaits(main);
            bufferWrites = () -> bufferWrites(main);
        } else if ("baseline".equals(side)) {
            subject = Baseline.start(accounts, collavreUrl);
        } else {
            throw new IllegalArgumentException("side must be bridge or baseline: " + side);
        }

        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Socket control = new Socket("127.0.0.1", port);
             BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8)) {
            out.println("ready");
            String command;
            while ((command = in.readLine()) != null) {
                switch (command) {
                    case "cpu" -> out.println("cpu " + os.getProcessCpuTime());
                    case "jit" -> out.println("jit " + compileMillis());
                    case "alloc" -> out.println("alloc " + allocatedBytes());
                    case "stalls" -> out.println("stalls " + PAUSES.get() + " " + PAUSE_NANOS.get() + " "
                                                 + LONGEST_PAUSE_NANOS.getAndSet(0));
                    case "storewait" -> out.println(storeWaits.get());
                    case "bufferwrites" -> out.println("bufferwrites " + bufferWrites.getAsLong());
                    case "reset" -> {
                        PEAK.set(heapUsed());
                        out.println("ok");
                    }
                    case "mem" -> {
                        long before = heapUsed();
                        PEAK.accumulateAndGet(before, Math::max);
                        System.gc();
                        System.gc();
                        out.println("mem " + heapUsed() + " " + PEAK.get());
                    }
                    case "stop" -> {
                        subject.close();
                        out.println("stopped");
                        System.exit(0);
                    }
                    default -> out.println("unknown " + command);
                }
            }
        }
        subject.close();
        System.exit(0);
    }

    /**
     * The bridge's {@link StateWriteWaitTimer}: count, total ns and its cumulative bucket counts ({@code bound-ns:count}
     * pairs), or {@code none} (the in-memory store has nothing to wait for).
     */
    private static String storeWaits(Main main) {
        MeterRegistry registry = registry(main);
        Timer timer = registry == null ? null : registry.find(StateWriteWaitTimer.NAME).timer();
        if (timer == null) {
            return "storewait none";
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        StringBuilder answer = new StringBuilder("storewait ").append(snapshot.count()).append(' ')
                .append((long) snapshot.total(TimeUnit.NANOSECONDS));
        for (CountAtBucket bucket : snapshot.histogramCounts()) {
            answer.append(' ').append((long) bucket.bucket(TimeUnit.NANOSECONDS)).append(':')
                    .append((long) bucket.count());
        }
        return answer.toString();
    }

    /** The bridge's metrics registry; null with metrics off. */
    private static MeterRegistry registry(Main main) {
        return main.getCamelContext().getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
    }

    /** The bridge's {@link StateBufferWrites} counter; -1 without one (the in-memory store writes no buffer). */
    private static long bufferWrites(Main main) {
        MeterRegistry registry = registry(main);
        FunctionCounter counter = registry == null ? null : registry.find(StateBufferWrites.NAME).functionCounter();
        return counter == null ? -1 : (long) counter.count();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The heap is fullest just before a collection: every collection not asked for by us raises the peak. */
    private static void watchPeakHeap() {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                        (CompositeData) notification.getUserData());
                if ("System.gc()".equals(info.getGcCause())) {
                    return;
                }
                if (!info.getGcName().contains("Concurrent")) {
                    long pause = TimeUnit.MILLISECONDS.toNanos(info.getGcInfo().getDuration());
                    PAUSES.incrementAndGet();
                    PAUSE_NANOS.addAndGet(pause);
                    LONGEST_PAUSE_NANOS.accumulateAndGet(pause, Math::max);
                }
                long used = 0;
                for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
                    if (heapPools.contains(pool.getKey())) {
                        used += pool.getValue().getUsed();
                    }
                }
                long total = used;
                PEAK.accumulateAndGet(total, Math::max);
            }, null, null);
        }
    }
}
