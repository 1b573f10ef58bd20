package io.collavre.openclaw.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import io.collavre.openclaw.bridge.testing.PostgresServer;

/**
 * The benchmark: the bridge as shipped and a hand-written baseline, each in a JVM of its own with
 * {@code -Xmx512m}, fed the same Gateway stream by a local Gateway and posting to a local Collavre; prints a
 * table of throughput, latency, CPU and heap figures side by side.
 *
 * <pre>java -jar bench/target/openclaw-bridge-bench.jar --help</pre>
 *
 * Exits with 1 when a run was not dispatched exactly once with its exact text, or a subject failed.
 */
public final class BenchMain {

    private static final Workload.Shape STREAM = new Workload.Shape(20, 200, 200, 4096, 0.02, 0.02, false);
    private static final Workload.Shape WARM = new Workload.Shape(20, 60, 200, 2048, 0.02, 0.02, false);
    private static final Workload.Shape OPEN = new Workload.Shape(2, 2, 1024, 1024, 0, 0, true);
    private static final Workload.Shape SENTINEL = new Workload.Shape(1, 1, 64, 64, 0, 0, false);

    private final Settings settings;
    private final CollavreSink sink;
    private final List<String> problems = new ArrayList<>();
    /** The state store of the bridge subject being measured. */
    private String store = "memory";
    /** The round of streaming phases being run, 1 to --repeat. */
    private int run = 1;
    private PostgresServer postgres;

    static final String USAGE = """
            Usage: java -jar bench/target/openclaw-bridge-bench.jar [option...]
              --quick                        shorter phases; 10,000 and 30,000 open runs
              --connections 1,10,100         Gateway connection counts, each measured in turn
              --sides bridge,baseline        subjects to measure
              --duplicates 0.3               share of frames the Gateway sends twice
              --concurrent-runs 500          runs open at once, shared out over the connections
              --warmup-runs 6000             runs streamed before measuring, for the JIT (300 with --quick)
              --throughput-runs 6000         runs streamed as fast as the subject takes them (800 with --quick)
              --latency-runs-per-second 1000 pace of the latency phase
              --latency-seconds 5            length of the latency phase (2 with --quick)
              --latency-lead-in-seconds 20   paced runs before it, reported apart (10 with --quick)
              --latency-deltas 20            deltas per run in the latency phase
              --open-runs 10000,100000       open-buffer counts of the memory phase (10000,30000 with --quick)
              --state-stores memory          the bridge's state stores, each measured against the same baseline:
                                             memory, embedded, postgresql (a throwaway server started from the
                                             Debian postgresql binaries, fsync off)
              --jvm-options "-XX:+UseZGC"    more options for both subjects' JVMs (after -Xmx512m)
              --jfr                          a JFR recording per subject in the output folder
              --repeat 1                     streaming phases per subject: with more, each figure is the median of
                                             the runs, the subjects taken in turn, each round starting one further
                                             on (the open-buffers phase runs once)
              --seed 42                      seed of the generated stream
              --routes-dir routes            the bridge's routes folder
              --out bench/target/bench-out   output folder: logs, recordings, results.md
              --help                         this text
            java -jar bench/target/openclaw-bridge-bench.jar soak --help: the long Collavre outage soak
            """;

    /** Paced runs streamed after the measured ones, see {@link #load}. */
    private static final int LATENCY_LEAD_OUT_SECONDS = 1;
    /** Paced runs streamed after the warm-up, before the throughput phase, see {@link #load}. */
    private static final int PACED_WARMUP_SECONDS = 3;

    private static final List<String> FLAGS = List.of("quick", "jfr", "help");
    private static final List<String> VALUED = List.of("connections", "sides", "duplicates", "concurrent-runs",
            "warmup-runs", "throughput-runs", "latency-runs-per-second", "latency-seconds", "latency-lead-in-seconds",
            "latency-deltas", "open-runs", "state-stores",
            "jvm-options", "seed", "routes-dir", "out", "repeat");

    /** What can be chosen on the command line. */
    record Settings(boolean quick, List<Integer> connections, List<String> sides, double duplicates, boolean jfr,
                    List<String> jvmOptions, Path routesDir, Path out, int concurrentRuns, int warmupRuns, int throughputRuns,
                    int latencyRunsPerSecond, int latencySeconds, int latencyLeadInSeconds, int latencyDeltas,
                    int[] openRuns, long seed, List<String> stateStores, int repeat) {

        static int repeat(String value) {
            int repeat = Integer.parseInt(value.trim());
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat takes 1 or more: " + value);
            }
            return repeat;
        }

        static List<String> stateStores(String list) {
            List<String> stores = Arrays.stream(list.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
            for (String store : stores) {
                if (!List.of("memory", "embedded", "postgresql").contains(store)) {
                    throw new IllegalArgumentException("--state-stores takes memory, embedded, postgresql: " + store);
                }
            }
            return stores.isEmpty() ? List.of("memory") : stores;
        }

        /** The settings, or null when only the usage was asked for. */
        static Settings parse(String[] args) {
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String name = args[i].startsWith("--") ? args[i].substring(2) : null;
                if (FLAGS.contains(name)) {
                    options.put(name, "true");
                } else if (VALUED.contains(name)) {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(args[i] + " needs a value");
                    }
                    options.put(name, args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (options.containsKey("help")) {
                return null;
            }
            boolean quick = options.containsKey("quick");
            Path routes = Path.of(options.getOrDefault("routes-dir", Files.isDirectory(Path.of("routes")) ? "routes" : "../routes"));
            if (!Files.isDirectory(routes)) {
                throw new IllegalArgumentException("routes folder not found: " + routes.toAbsolutePath()
                                                   + " (run from the project root or pass --routes-dir)");
            }
            Path out = Path.of(options.getOrDefault("out", Files.isDirectory(Path.of("bench")) ? "bench/target/bench-out" : "target/bench-out"));
            return new Settings(quick,
                    Arrays.stream(options.getOrDefault("connections", "1,10,100").split(",")).map(String::trim).map(Integer::valueOf).toList(),
                    Arrays.stream(options.getOrDefault("sides", "bridge,baseline").split(",")).map(String::trim).toList(),
                    Double.parseDouble(options.getOrDefault("duplicates", "0.3")),
                    options.containsKey("jfr"),
                    Arrays.stream(options.getOrDefault("jvm-options", "").trim().split("\\s+")).filter(o -> !o.isEmpty()).toList(),
                    routes, out,
                    Integer.parseInt(options.getOrDefault("concurrent-runs", "500")),
                    Integer.parseInt(options.getOrDefault("warmup-runs", quick ? "300" : "6000")),
                    Integer.parseInt(options.getOrDefault("throughput-runs", quick ? "800" : "6000")),
                    Integer.parseInt(options.getOrDefault("latency-runs-per-second", "1000")),
                    Integer.parseInt(options.getOrDefault("latency-seconds", quick ? "2" : "5")),
                    Integer.parseInt(options.getOrDefault("latency-lead-in-seconds", quick ? "10" : "20")),
                    Integer.parseInt(options.getOrDefault("latency-deltas", "20")),
                    Arrays.stream(options.getOrDefault("open-runs", quick ? "10000,30000" : "10000,100000").split(","))
                            .map(String::trim).mapToInt(Integer::parseInt).toArray(),
                    Long.parseLong(options.getOrDefault("seed", "42")),
                    stateStores(options.getOrDefault("state-stores", "memory")),
                    repeat(options.getOrDefault("repeat", "1")));
        }
    }

    /** Figures of one subject's streaming phases. */
    record Load(double eventsPerSecond, double runsPerSecond, double cpuSecondsPerMillion, double ownCpuSecondsPerMillion,
                double saturationP99Ms,
                double latencyRunsPerSecond, double p50Ms, double p99Ms, double maxMs, double leadInP99Ms, long events,
                long runs, double gcPauseMs, double longestGcPauseMs, Double storeWaitMeanMs, Double storeWaitP99Ms,
                Double windowCores, Double windowCompileMs, Double allocatedKbPerEvent,
                Double bufferWritesPerRun, Double pacedBufferWritesPerRun, Double serverCpuSecondsPerMillion,
                Double serverWindowCores) {

        /** Each figure's median over the runs of one subject (of two middle values, their mean). */
        static Load median(List<Load> runs) {
            return new Load(median(runs, Load::eventsPerSecond), median(runs, Load::runsPerSecond),
                    median(runs, Load::cpuSecondsPerMillion), median(runs, Load::ownCpuSecondsPerMillion),
                    median(runs, Load::saturationP99Ms), median(runs, Load::latencyRunsPerSecond),
                    median(runs, Load::p50Ms), median(runs, Load::p99Ms), median(runs, Load::maxMs),
                    median(runs, Load::leadInP99Ms), runs.get(0).events(), runs.get(0).runs(),
                    median(runs, Load::gcPauseMs), median(runs, Load::longestGcPauseMs),
                    medianOrNull(runs, Load::storeWaitMeanMs), medianOrNull(runs, Load::storeWaitP99Ms),
                    medianOrNull(runs, Load::windowCores), medianOrNull(runs, Load::windowCompileMs),
                    medianOrNull(runs, Load::allocatedKbPerEvent), medianOrNull(runs, Load::bufferWritesPerRun),
                    medianOrNull(runs, Load::pacedBufferWritesPerRun),
                    medianOrNull(runs, Load::serverCpuSecondsPerMillion), medianOrNull(runs, Load::serverWindowCores));
        }

        private static double median(List<Load> runs, ToDoubleFunction<Load> figure) {
            double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
            int middle = values.length / 2;
            return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        }

        private static Double medianOrNull(List<Load> runs, Function<Load, Double> figure) {
            List<Load> known = runs.stream().filter(run -> figure.apply(run) != null).toList();
            return known.isEmpty() ? null : median(known, run -> figure.apply(run));
        }
    }

    /** Figures of one subject's memory phase; {@code failure} is set when it did not get through. */
    record Memory(long idleLive, long[] live, long[] peak, double[] perBuffer, String failure) {
    }

    /** One streaming phase, checked. */
    /**
     * A phase's outcome. {@code latenciesNanos} is sorted; {@code finalsSentNanos} and {@code latenciesInSendOrder}
     * hold each run's final send time (from the phase start, at {@code startEpochMillis}) and its latency, in the
     * order the finals were sent.
     */
    record Phase(long frames, long durationNanos, long posts, long[] latenciesNanos, long startEpochMillis,
                 long[] finalsSentNanos, long[] latenciesInSendOrder) {
    }

    private BenchMain(Settings settings) throws IOException {
        this.settings = settings;
        this.sink = new CollavreSink();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && "soak".equals(args[0])) {
            OutageSoak.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (settings == null) {
            System.out.print(USAGE);
            return;
        }
        Files.createDirectories(settings.out());
        BenchMain bench = new BenchMain(settings);
        int status;
        try {
            status = bench.run();
        } finally {
            bench.sink.close();
        }
        System.exit(status);
    }

    /** A subject of the benchmark: a side, and for the bridge its state store. */
    record Measured(String side, String store) {
    }

    /** The subjects in the order of round {@code run} (1-based): each round starts one subject further on. */
    static List<Measured> roundOrder(List<Measured> subjects, int run) {
        List<Measured> order = new ArrayList<>(subjects.size());
        for (int turn = 0; turn < subjects.size(); turn++) {
            order.add(subjects.get((turn + run - 1) % subjects.size()));
        }
        return order;
    }

    private int run() throws Exception {
        String loadBefore = loadAverage();
        HostCpu cpuBefore = HostCpu.now();
        long started = System.nanoTime();
        Map<String, Map<String, List<Load>>> loads = new LinkedHashMap<>();
        Map<String, Map<String, Memory>> memories = new LinkedHashMap<>();
        for (String each : settings.stateStores()) {
            loads.put(each, new LinkedHashMap<>());
            memories.put(each, new LinkedHashMap<>());
        }
        try {
            if (settings.stateStores().contains("postgresql") && settings.sides().contains("bridge")) {
                postgres = PostgresServer.start();
            }
            // The baseline has no state store: measured once, set beside each store's bridge.
            List<Measured> subjects = new ArrayList<>();
            for (String side : settings.sides()) {
                for (String each : "bridge".equals(side) ? settings.stateStores() : List.of("memory")) {
                    subjects.add(new Measured(side, each));
                }
            }
            for (int connections : settings.connections()) {
                // With --repeat, every subject once per round, so that a slow spell of the machine hits them alike,
                // and each round starts one subject further on, so that none is always measured first, or always
                // right after the same other one.
                for (run = 1; run <= settings.repeat(); run++) {
                    for (Measured measured : roundOrder(subjects, run)) {
                        String side = measured.side();
                        String each = measured.store();
                        store = each;
                        String key = side + "@" + connections;
                        Load load = null;
                        try {
                            freshState();
                            load = load(side, connections);
                        } catch (Exception | AssertionError e) {
                            problems.add(name(side) + "@" + connections + " streaming" + runLabel() + ": "
                                         + e.getMessage());
                        }
                        Memory memory = null;
                        if (run == 1) {
                            freshState();
                            memory = memory(side, connections);
                        }
                        for (String target : "bridge".equals(side) ? List.of(each) : settings.stateStores()) {
                            if (load != null) {
                                loads.get(target).computeIfAbsent(key, k -> new ArrayList<>()).add(load);
                            }
                            if (memory != null) {
                                memories.get(target).put(key, memory);
                            }
                        }
                    }
                }
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
        StringBuilder tables = new StringBuilder();
        for (String each : settings.stateStores()) {
            if (settings.stateStores().size() > 1 || !"memory".equals(each)) {
                tables.append("### State store: ").append(each).append("\n\n");
            }
            Map<String, Load> medians = new LinkedHashMap<>();
            loads.get(each).forEach((key, runs) -> medians.put(key, Load.median(runs)));
            tables.append(table(medians, memories.get(each))).append('\n')
                    .append(verdicts(medians, memories.get(each))).append('\n');
        }
        String header = header(loadBefore, loadAverage(), HostCpu.now().stolenSince(cpuBefore),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        if (settings.repeat() > 1) {
            header += String.format(Locale.ROOT, "Each streaming figure is the median of %d runs of its subject, the"
                    + " subjects taken in turn, each round starting one further on (each run's phases are in the log"
                    + " above); the open-buffers phase ran once.%n",
                    settings.repeat());
        }
        String report = header + "\n" + tables;
        System.out.println();
        System.out.println(report);
        Files.writeString(settings.out().resolve("results.md"), report, StandardCharsets.UTF_8);
        if (!problems.isEmpty()) {
            System.out.println("FAILED:");
            problems.forEach(p -> System.out.println("  - " + p));
            return 1;
        }
        return 0;
    }

    /** " (run k)" in a line about a streaming phase, with --repeat. */
    private String runLabel() {
        return settings.repeat() > 1 ? " (run " + run + ")" : "";
    }

    /** A subject's output file: its name, the connections, what it holds, and the run with --repeat. */
    private String subjectFile(String side, int connections, String part, String extension) {
        return name(side) + "-" + connections + "-" + part + (settings.repeat() > 1 && !"memory".equals(part)
                ? "-run" + run : "") + extension;
    }

    /** The subject's name in files and lines: the bridge with its store when it is not the default one. */
    private String name(String side) {
        return "bridge".equals(side) && !"memory".equals(store) ? side + "-" + store : side;
    }

    /** A shared store starts empty for every bridge subject, as the embedded one does (its own folder each time). */
    private void freshState() throws java.sql.SQLException {
        if (postgres != null && "postgresql".equals(store)) {
            postgres.dropBridgeTables();
        }
    }

    private List<String> jvmOptions(String side, int connections, String part) {
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"));
        if ("bridge".equals(side)) {
            options.add("-Dproactive.state-store=" + store);
            if ("postgresql".equals(store)) {
                options.add("-Dbridge.db.url=" + postgres.jdbcUrl());
                options.add("-Dbridge.db.user=" + postgres.user());
                options.add("-Dbridge.db.password=" + postgres.password());
            }
        }
        options.addAll(settings.jvmOptions());
        if (settings.jfr()) {
            options.add("-XX:StartFlightRecording=filename=" + settings.out().resolve(subjectFile(side, connections, part, ".jfr"))
                                                                        .toAbsolutePath() + ",settings=profile");
            options.add("-XX:FlightRecorderOptions:stackdepth=512");
        }
        return options;
    }

    private Path accountsFile(GatewayLoad gateway, int connections) throws IOException {
        return accountsFile(gateway, connections, settings.out());
    }

    /** Writes the accounts file of a Gateway stand-in: one account per connection, owned by Workload.ownerOf. */
    static Path accountsFile(GatewayLoad gateway, int connections, Path out) throws IOException {
        StringBuilder file = new StringBuilder("# Generated by the benchmark: one account per Gateway connection\n");
        for (int c = 0; c < connections; c++) {
            file.append("acct-").append(c).append(".owner-id=").append(Workload.ownerOf(c)).append('\n');
            file.append("acct-").append(c).append(".gateway-url=").append(gateway.url(c)).append('\n');
            file.append("acct-").append(c).append(".token=").append(GatewayLoad.token(c)).append('\n');
        }
        Path path = out.resolve("accounts-" + connections + ".properties");
        Files.writeString(path, file, StandardCharsets.UTF_8);
        return path;
    }

    /** Starts one side on the Gateway's accounts and waits until every connection completed the handshake. */
    private Subject startSubject(GatewayLoad gateway, String side, int connections, String part) throws Exception {
        Path accounts = accountsFile(gateway, connections);
        Subject subject = Subject.start(side, jvmOptions(side, connections, part), accounts, sink.url(),
                settings.routesDir().toAbsolutePath(), settings.out().resolve(subjectFile(side, connections, part, ".log")));
        try {
            gateway.awaitEstablished(60_000);
            return subject;
        } catch (Exception | Error e) {
            subject.close();
            throw e;
        }
    }

    /** Runs open at once on each connection: the stream's concurrency shared out. */
    private int perConnection(int connections) {
        return Math.max(1, (settings.concurrentRuns() + connections - 1) / connections);
    }

    private Load load(String side, int connections) throws Exception {
        status(name(side), connections, "streaming" + runLabel());
        sink.reset();
        try (GatewayLoad gateway = new GatewayLoad(connections, 5000)) {
            Subject subject = startSubject(gateway, side, connections, "load");
            try {
                int perConnection = perConnection(connections);
                phase(gateway, subject, "warm-up", Workload.plan(settings.warmupRuns(), 0, connections, STREAM,
                        settings.seed() + 1), perConnection, 0);
                // The paced stream's code, on both sides of the socket, compiled before anything is measured: run
                // first, either side would otherwise pay for the stand-ins' paced code (at 100 connections a p99
                // of 93 ms after the lead-in for the baseline run alone, 14 ms in a full run).
                Workload.Shape pacedShape = new Workload.Shape(settings.latencyDeltas(), settings.latencyDeltas(), 200, 2048,
                        0.02, 0.02, false);
                List<Workload.Run> pacedWarmup = Workload.plan(settings.latencyRunsPerSecond() * PACED_WARMUP_SECONDS,
                        1_500_000, connections, pacedShape, settings.seed() + 6);
                phase(gateway, subject, "paced warm-up", pacedWarmup, perConnection,
                        settings.latencyRunsPerSecond() * framesPerRun(pacedWarmup));
                long cpuBefore = subject.cpuNanos();
                long allocatedBefore = subject.allocatedBytes();
                long bufferWritesBefore = subject.bufferWrites();
                long ownCpuBefore = ownCpuNanos();
                long serverCpuBefore = serverCpuNanos();
                Phase throughput = phase(gateway, subject, "throughput", Workload.plan(settings.throughputRuns(),
                        1_000_000, connections, STREAM, settings.seed() + 2), perConnection, 0);
                long cpu = subject.cpuNanos() - cpuBefore;
                long allocatedAfter = subject.allocatedBytes();
                long bufferWritesAfter = subject.bufferWrites();
                long ownCpu = ownCpuNanos() - ownCpuBefore;
                long serverCpuAfter = serverCpuNanos();
                Double serverCpuSecondsPerMillion = serverCpuBefore < 0 || serverCpuAfter < 0 ? null
                        : (serverCpuAfter - serverCpuBefore) / 1e9 / throughput.frames() * 1e6;
                Double allocatedPerEvent = growthPer(allocatedBefore, allocatedAfter, throughput.frames());
                Double allocatedKbPerEvent = allocatedPerEvent == null ? null : allocatedPerEvent / 1024;

                // Measured: the runs whose final is sent in the latency-seconds after the lead-in. The lead-in's are
                // reported apart: right after full throughput both sides, and the stand-ins' own paced code, are
                // still settling (JIT, heap), and the stream's first runs all start at once, so their finals come
                // in a burst. The bridge's JIT compiles for 10-15 s after full throughput (0.2-0.4 of a core, in
                // bursts of a whole core), hence the 20 s default; the window's JIT time is reported to show it.
                // The lead-out's are not measured: once no new run starts, the frames all go to the runs still
                // open and their finals come in a burst too (several times the pace).
                int latencyRuns = settings.latencyRunsPerSecond()
                                  * (settings.latencyLeadInSeconds() + settings.latencySeconds() + LATENCY_LEAD_OUT_SECONDS);
                List<Workload.Run> paced = Workload.plan(latencyRuns, 2_000_000, connections, pacedShape,
                        settings.seed() + 3);
                // Also starts the longest pause over: the next answer's is the phase's.
                Subject.Stalls stallsBefore = subject.stalls();
                Subject.StoreWaits waitsBefore = subject.storeWaits();
                long pacedBufferWritesBefore = subject.bufferWrites();
                // The subject's CPU time and JIT compile time in the measured window, read at its start and end (the
                // phase's clock starts a few milliseconds after this one): how busy the subject was, and whether
                // its JIT was still compiling (on 2 cores, a C2 compile takes a core for 100-400 ms).
                AtomicLongArray window = new AtomicLongArray(new long[] {-1, -1, -1, -1});
                // And the PostgreSQL server's, when the subject uses it.
                AtomicLongArray serverWindow = new AtomicLongArray(new long[] {-1, -1});
                ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread thread = new Thread(r, "measured-window");
                    thread.setDaemon(true);
                    return thread;
                });
                Phase latency;
                try {
                    long leadInMs = TimeUnit.SECONDS.toMillis(settings.latencyLeadInSeconds());
                    reader.schedule(() -> {
                        readWindow(subject, window, 0);
                        serverWindow.set(0, serverCpuNanos());
                    }, leadInMs, TimeUnit.MILLISECONDS);
                    reader.schedule(() -> {
                        readWindow(subject, window, 2);
                        serverWindow.set(1, serverCpuNanos());
                    }, leadInMs + TimeUnit.SECONDS.toMillis(settings.latencySeconds()), TimeUnit.MILLISECONDS);
                    latency = phase(gateway, subject, "latency", paced, perConnection,
                            settings.latencyRunsPerSecond() * framesPerRun(paced));
                } finally {
                    reader.shutdown();
                    reader.awaitTermination(10, TimeUnit.SECONDS);
                }
                // Null (n/a in the table, left out of the medians) when a reading failed or the JVM does not tell.
                Double windowCores = window.get(0) < 0 || window.get(2) < 0 ? null
                        : (window.get(2) - window.get(0)) / 1e9 / settings.latencySeconds();
                Double windowCompileMs = window.get(1) < 0 || window.get(3) < 0 ? null
                        : (double) (window.get(3) - window.get(1));
                Double serverWindowCores = serverWindow.get(0) < 0 || serverWindow.get(1) < 0 ? null
                        : (serverWindow.get(1) - serverWindow.get(0)) / 1e9 / settings.latencySeconds();
                Subject.Stalls stalls = subject.stalls();
                Subject.StoreWaits waits = subject.storeWaits();
                long pacedBufferWritesAfter = subject.bufferWrites();
                writeLatencies(subjectFile(side, connections, "latency", ".csv"), latency);

                long leadInEnd = TimeUnit.SECONDS.toNanos(settings.latencyLeadInSeconds());
                long[] sorted = latenciesOfFinalsSent(latency, leadInEnd,
                        leadInEnd + TimeUnit.SECONDS.toNanos(settings.latencySeconds()));
                long[] leadIn = latenciesOfFinalsSent(latency, 0, leadInEnd);
                System.out.printf(Locale.ROOT, "    %-10s p99 %.1f ms in the %d s lead-in, %.1f ms after it; there, %s cores"
                                                + " and %s ms of JIT compiling%s%n", "",
                        percentile(leadIn, 0.99) / 1e6, settings.latencyLeadInSeconds(), percentile(sorted, 0.99) / 1e6,
                        windowCores == null ? "n/a" : String.format(Locale.ROOT, "%.2f", windowCores),
                        windowCompileMs == null ? "n/a" : String.format(Locale.ROOT, "%.0f", windowCompileMs),
                        serverWindowCores == null ? ""
                                : String.format(Locale.ROOT, ", the PostgreSQL server %.2f cores", serverWindowCores));
                double gcPauseMs = (stalls.pauseNanos() - stallsBefore.pauseNanos()) / 1e6;
                Double storeWaitMeanMs = waits == null ? null : waits.meanMsSince(waitsBefore);
                Double storeWaitP99Ms = waits == null ? null : waits.p99BoundMsSince(waitsBefore);
                System.out.printf(Locale.ROOT, "    %-10s GC paused it %d times for %.0f ms (longest %.1f ms)%s%n", "",
                        stalls.pauses() - stallsBefore.pauses(), gcPauseMs, stalls.longestPauseNanos() / 1e6,
                        waits == null ? "" : String.format(Locale.ROOT,
                                "; waits for the state store's commit: mean %.1f ms, p99 <= %.0f ms",
                                storeWaitMeanMs, storeWaitP99Ms));

                double seconds = throughput.durationNanos() / 1e9;
                long[] saturated = throughput.latenciesNanos();
                return new Load(throughput.frames() / seconds, throughput.posts() / seconds,
                        cpu / 1e9 / throughput.frames() * 1e6, ownCpu / 1e9 / throughput.frames() * 1e6,
                        percentile(saturated, 0.99) / 1e6,
                        latency.posts() / (latency.durationNanos() / 1e9),
                        percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                        percentile(leadIn, 0.99) / 1e6, throughput.frames(), throughput.posts(),
                        gcPauseMs, stalls.longestPauseNanos() / 1e6, storeWaitMeanMs, storeWaitP99Ms, windowCores,
                        windowCompileMs, allocatedKbPerEvent, growthPer(bufferWritesBefore, bufferWritesAfter,
                                throughput.posts()), growthPer(pacedBufferWritesBefore, pacedBufferWritesAfter,
                                latency.posts()), serverCpuSecondsPerMillion, serverWindowCores);
            } finally {
                gateway.subjectStopping();
                subject.close();
            }
        }
    }

    /**
     * A count's growth per event or run of the phase; null when the subject has no such count (-1) or the phase had
     * none.
     */
    static Double growthPer(long before, long after, long of) {
        return before < 0 || after < 0 || of == 0 ? null : (double) (after - before) / of;
    }

    /**
     * Reads the subject's CPU ns into {@code window[at]} and its JIT ms into {@code window[at + 1]}; on a failure
     * they stay -1 (n/a): the phase itself reports a subject that exited.
     */
    private static void readWindow(Subject subject, AtomicLongArray window, int at) {
        try {
            window.set(at, subject.cpuNanos());
            window.set(at + 1, subject.compileMillis());
        } catch (IOException e) {
            System.out.println("    could not read the subject's CPU and JIT time: " + e.getMessage());
        }
    }

    private Memory memory(String side, int connections) {
        status(name(side), connections, "open buffers");
        sink.reset();
        int[] targets = settings.openRuns();
        long[] live = new long[targets.length];
        long[] peak = new long[targets.length];
        double[] perBuffer = new double[targets.length];
        Arrays.fill(live, -1);
        long idle = -1;
        try (GatewayLoad gateway = new GatewayLoad(connections, 5000)) {
            Subject subject = startSubject(gateway, side, connections, "memory");
            try {
                int perConnection = perConnection(connections);
                phase(gateway, subject, "warm-up", Workload.plan(200, 0, connections, WARM, settings.seed() + 4),
                        perConnection, 0);
                Subject.Heap before = subject.heap();
                idle = before.live();
                subject.resetPeak();
                int opened = 0;
                for (int t = 0; t < targets.length; t++) {
                    List<Workload.Run> open = Workload.plan(targets[t] - opened, 3_000_000 + opened, connections, OPEN,
                            settings.seed() + 5 + t);
                    sink.expect(open);
                    gateway.stream(open, perConnection, settings.duplicates(), 0, settings.seed() + 5 + t,
                            new AtomicLongArray(open.size()), 3_000_000 + opened);
                    opened = targets[t];
                    // One short complete run per connection after the open ones: when it reaches Collavre, every
                    // frame before it on its connection has been taken in.
                    phase(gateway, subject, "open " + opened, Workload.plan(connections, 5_000_000 + t * connections,
                            connections, SENTINEL, settings.seed() + 50 + t), 1, 0);
                    Subject.Heap heap = subject.heap();
                    live[t] = heap.live();
                    peak[t] = heap.peak();
                    perBuffer[t] = (heap.live() - before.live()) / (double) opened;
                    subject.resetPeak();
                }
                return new Memory(idle, live, peak, perBuffer, null);
            } finally {
                boolean died = !subject.isAlive();
                gateway.subjectStopping();
                subject.close();
                if (died) {
                    problems.add(name(side) + "@" + connections + " memory: the subject died; see " + subject.log());
                }
            }
        } catch (Exception | AssertionError e) {
            String why = e.getMessage();
            return new Memory(idle, live, peak, perBuffer, why == null ? e.toString() : why);
        }
    }

    /**
     * Streams the runs and waits until every run that should reach Collavre did; then checks that each did so
     * exactly once with its exact text and that no other run did.
     */
    private Phase phase(GatewayLoad gateway, Subject subject, String name, List<Workload.Run> runs, int perConnection,
                        double framesPerSecond) throws Exception {
        sink.expect(runs);
        int indexBase = runs.get(0).index();
        long expected = runs.stream().filter(Workload.Run::expectsPost).count();
        long receivedBefore = sink.received();
        AtomicLongArray finalSent = new AtomicLongArray(runs.size());
        HostCpu cpuBefore = HostCpu.now();
        GatewayLoad.Streamed streamed = gateway.stream(runs, perConnection, settings.duplicates(), framesPerSecond,
                settings.seed() * 7 + indexBase, finalSent, indexBase);
        long lastProgress = System.nanoTime();
        long seen = sink.received();
        while (sink.received() - receivedBefore < expected) {
            Thread.sleep(2);
            if (sink.received() != seen) {
                seen = sink.received();
                lastProgress = System.nanoTime();
            } else if (!subject.isAlive()) {
                throw new AssertionError(name + ": the subject exited (see " + subject.log() + ")");
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                break;
            }
        }
        long lastArrival = sink.lastArrivalNanos();
        // Late copies would show up now.
        Thread.sleep(300);
        long[] latencies = new long[(int) expected];
        long[] sent = new long[(int) expected];
        int n = 0;
        List<String> missing = new ArrayList<>();
        for (Workload.Run run : runs) {
            if (!run.expectsPost()) {
                continue;
            }
            CollavreSink.Expected got = sink.get(run.runId());
            if (got.posts.get() == 0) {
                if (missing.size() < 5) {
                    missing.add(run.runId() + " (ending " + run.ending() + ", " + run.deltas() + " deltas)");
                }
                continue;
            }
            sent[n] = finalSent.get(run.index() - indexBase) - streamed.startNanos();
            latencies[n++] = got.arrivalNanos - finalSent.get(run.index() - indexBase);
        }
        long posted = sink.received() - receivedBefore;
        if (n < expected) {
            throw new AssertionError(name + ": " + (expected - n) + " of " + expected + " runs never reached Collavre, e.g. "
                                     + missing);
        }
        if (sink.failures() > 0) {
            throw new AssertionError(name + ": " + sink.failures() + " wrong posts: " + sink.failureSamples());
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        long duration = lastArrival - streamed.startNanos();
        System.out.printf(Locale.ROOT, "    %-10s %,9d frames %,7d runs in %6.2f s: %,9.0f events/s, p99 %.1f ms, CPU stolen %s%n",
                name, streamed.frames(), posted, duration / 1e9, streamed.frames() / (duration / 1e9),
                percentile(sorted, 0.99) / 1e6, HostCpu.now().stolenSince(cpuBefore));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(sent[a], sent[b]));
        long[] sentInOrder = new long[n];
        long[] latencyInOrder = new long[n];
        for (int i = 0; i < n; i++) {
            sentInOrder[i] = sent[order[i]];
            latencyInOrder[i] = latencies[order[i]];
        }
        long startEpochMillis = System.currentTimeMillis() - (System.nanoTime() - streamed.startNanos()) / 1_000_000;
        return new Phase(streamed.frames(), duration, posted, sorted, startEpochMillis, sentInOrder, latencyInOrder);
    }

    /**
     * Each run's final send time (from the phase start, and as a UTC clock time to set beside the subject's log, GC
     * log or recording) and latency: how the tail is spread over the phase.
     */
    private void writeLatencies(String file, Phase phase) throws IOException {
        StringBuilder csv = new StringBuilder("final_sent_ms,final_sent_utc,latency_ms\n");
        for (int i = 0; i < phase.finalsSentNanos().length; i++) {
            long sentNanos = phase.finalsSentNanos()[i];
            Instant sentAt = Instant.ofEpochMilli(phase.startEpochMillis() + sentNanos / 1_000_000);
            csv.append(String.format(Locale.ROOT, "%.3f,%s,%.3f%n", sentNanos / 1e6, sentAt,
                    phase.latenciesInSendOrder()[i] / 1e6));
        }
        Files.writeString(settings.out().resolve(file), csv, StandardCharsets.UTF_8);
    }

    /** Frames a run of the plan takes on average, its events and their copies. */
    private double framesPerRun(List<Workload.Run> runs) {
        return runs.stream().mapToInt(Workload::events).average().orElse(1) * (1 + settings.duplicates());
    }

    /** The sorted latencies of the runs whose final was sent from {@code fromNanos} (included) to {@code toNanos}. */
    private static long[] latenciesOfFinalsSent(Phase phase, long fromNanos, long toNanos) {
        long[] sent = phase.finalsSentNanos();
        long[] picked = new long[sent.length];
        int n = 0;
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] >= fromNanos && sent[i] < toNanos) {
                picked[n++] = phase.latenciesInSendOrder()[i];
            }
        }
        long[] sorted = Arrays.copyOf(picked, n);
        Arrays.sort(sorted);
        return sorted;
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void status(String side, int connections, String part) {
        System.out.printf(Locale.ROOT, "%s, %d Gateway connection%s, %s%n", side, connections, connections == 1 ? "" : "s", part);
    }

    private String header(String loadBefore, String loadAfter, String stolen, long seconds) {
        return String.format(Locale.ROOT, """
                ## Bridge benchmark (%s)

                %s; %d cores; load average before %s, after %s; CPU time stolen by the hypervisor %s; %d s in all.
                Stream: runs of %d-%d cumulative deltas growing to %d-%d chars, then a final; %.0f%% of frames sent twice; \
                %.0f%% of runs end in error, %.0f%% aborted; %d runs open at once. Throughput: %,d runs after %,d warm-up \
                runs and %d s of runs at the latency phase's pace, as fast as the subject takes them. Latency: %,d runs/s \
                of %d deltas each; measured: the runs whose final is sent in %d s after a lead-in of %d s at the same pace \
                (its p99 is the one row reported apart) and before a lead-out of %d s (not measured: the last runs' finals \
                come in a burst). \
                Open buffers: runs of 2 deltas growing to 1 KB, never finished. Each subject in its own JVM with -Xmx512m%s; \
                the Gateway and Collavre stand-ins run in the benchmark's JVM on the same cores.
                Bridge measured: %s.
                """, ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE) + (settings.quick() ? ", quick mode" : ""),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, stolen, seconds,
                STREAM.minDeltas(), STREAM.maxDeltas(), STREAM.minChars(), STREAM.maxChars(), settings.duplicates() * 100,
                STREAM.errorShare() * 100, STREAM.abortShare() * 100, settings.concurrentRuns(), settings.throughputRuns(),
                settings.warmupRuns(), PACED_WARMUP_SECONDS, settings.latencyRunsPerSecond(), settings.latencyDeltas(),
                settings.latencySeconds(), settings.latencyLeadInSeconds(), LATENCY_LEAD_OUT_SECONDS,
                settings.jvmOptions().stream().map(o -> " " + o).collect(java.util.stream.Collectors.joining()), bridgeJar());
    }

    private String table(Map<String, Load> loads, Map<String, Memory> memories) {
        StringBuilder out = new StringBuilder();
        out.append("| connections | figure | bridge | baseline | bridge/baseline |\n");
        out.append("|---:|---|---:|---:|---:|\n");
        for (int c : settings.connections()) {
            Load bridge = loads.get("bridge@" + c);
            Load baseline = loads.get("baseline@" + c);
            Memory bridgeMemory = memories.get("bridge@" + c);
            Memory baselineMemory = memories.get("baseline@" + c);
            row(out, c, "chat events/s (throughput)", bridge, baseline, Load::eventsPerSecond, "%,.0f");
            row(out, c, "runs dispatched/s (throughput)", bridge, baseline, Load::runsPerSecond, "%,.0f");
            row(out, c, "CPU s per million events", bridge, baseline, Load::cpuSecondsPerMillion, "%.1f");
            row(out, c, "CPU s per million events of the Gateway and Collavre stand-ins", bridge, baseline,
                    Load::ownCpuSecondsPerMillion, "%.1f");
            row(out, c, "CPU s per million events of the PostgreSQL server (its state store)", bridge, baseline,
                    Load::serverCpuSecondsPerMillion, "%.1f");
            row(out, c, "heap KB allocated per event (throughput)", bridge, baseline, Load::allocatedKbPerEvent, "%.2f");
            row(out, c, "open buffers written to the state store per run (throughput)", bridge, baseline,
                    Load::bufferWritesPerRun, "%.2f");
            row(out, c, "p99 final-to-Collavre ms at full throughput", bridge, baseline, Load::saturationP99Ms, "%.1f");
            row(out, c, "runs/s achieved in latency phase", bridge, baseline, Load::latencyRunsPerSecond, "%,.0f");
            String paced = " at " + settings.latencyRunsPerSecond() + " runs/s";
            row(out, c, "p50 final-to-Collavre ms" + paced, bridge, baseline, Load::p50Ms, "%.2f");
            row(out, c, "p99 final-to-Collavre ms" + paced, bridge, baseline, Load::p99Ms, "%.2f");
            row(out, c, "max final-to-Collavre ms" + paced, bridge, baseline, Load::maxMs, "%.1f");
            row(out, c, "p99 final-to-Collavre ms" + paced + ", " + settings.latencyLeadInSeconds()
                        + " s lead-in right after full throughput", bridge, baseline, Load::leadInP99Ms, "%.2f");
            row(out, c, "cores the subject used in the measured " + settings.latencySeconds() + " s" + paced, bridge,
                    baseline, Load::windowCores, "%.2f");
            row(out, c, "cores the PostgreSQL server used in the measured " + settings.latencySeconds() + " s" + paced,
                    bridge, baseline, Load::serverWindowCores, "%.2f");
            row(out, c, "JIT compile ms in the measured " + settings.latencySeconds() + " s" + paced, bridge, baseline,
                    Load::windowCompileMs, "%.0f");
            row(out, c, "open buffers written to the state store per run" + paced, bridge, baseline,
                    Load::pacedBufferWritesPerRun, "%.3f");
            row(out, c, "GC pauses in the latency phase (ms in all)", bridge, baseline, Load::gcPauseMs, "%.0f");
            row(out, c, "longest GC pause in the latency phase (ms)", bridge, baseline, Load::longestGcPauseMs, "%.1f");
            row(out, c, "mean wait for the state store's commit ms" + paced, bridge, baseline,
                    Load::storeWaitMeanMs, "%.2f");
            row(out, c, "p99 wait for the state store's commit ms" + paced + " (bucket bound)", bridge, baseline,
                    Load::storeWaitP99Ms, "%.0f");
            row(out, c, "heap live after GC, no open run (MB)", bridgeMemory, baselineMemory, m -> mb(m.idleLive()),
                    "%.1f");
            int[] targets = settings.openRuns();
            for (int t = 0; t < targets.length; t++) {
                int target = t;
                String open = String.format(Locale.ROOT, "%,d open runs", targets[t]);
                row(out, c, "peak heap, " + open + " (MB)", bridgeMemory, baselineMemory,
                        m -> m.live()[target] < 0 ? null : mb(m.peak()[target]), "%.0f");
                row(out, c, "heap live after GC, " + open + " (MB)", bridgeMemory, baselineMemory,
                        m -> mb(m.live()[target]), "%.0f");
                row(out, c, "heap per open buffer, " + open + " (bytes)", bridgeMemory, baselineMemory,
                        m -> m.live()[target] < 0 ? null : m.perBuffer()[target], "%,.0f");
            }
        }
        return out.toString();
    }

    private static Double mb(long bytes) {
        return bytes < 0 ? null : bytes / (1024.0 * 1024.0);
    }

    /** A row of one figure of both sides' results; a side that has no result shows n/a. */
    private static <T> void row(StringBuilder out, int connections, String figure, T bridge, T baseline,
                                Function<T, Number> figureOf, String format) {
        row(out, connections, figure, bridge == null ? null : figureOf.apply(bridge),
                baseline == null ? null : figureOf.apply(baseline), format);
    }

    private static void row(StringBuilder out, int connections, String figure, Number bridge, Number baseline, String format) {
        String ratio = bridge == null || baseline == null || baseline.doubleValue() == 0
                ? "" : String.format(Locale.ROOT, "%.2f", bridge.doubleValue() / baseline.doubleValue());
        out.append("| ").append(connections).append(" | ").append(figure).append(" | ")
                .append(bridge == null ? "n/a" : String.format(Locale.ROOT, format, bridge.doubleValue())).append(" | ")
                .append(baseline == null ? "n/a" : String.format(Locale.ROOT, format, baseline.doubleValue())).append(" | ")
                .append(ratio).append(" |\n");
    }

    private String verdicts(Map<String, Load> loads, Map<String, Memory> memories) {
        StringBuilder out = new StringBuilder("Targets (bridge):\n");
        for (int c : settings.connections()) {
            Load bridge = loads.get("bridge@" + c);
            Load baseline = loads.get("baseline@" + c);
            if (bridge != null) {
                out.append(verdict(c, bridge.eventsPerSecond() >= 50_000,
                        String.format(Locale.ROOT, ">= 50,000 chat events/s: %,.0f", bridge.eventsPerSecond())));
                if (baseline != null) {
                    out.append(verdict(c, bridge.eventsPerSecond() >= baseline.eventsPerSecond() / 2,
                            String.format(Locale.ROOT, ">= half the baseline's throughput: %.2f of it",
                                    bridge.eventsPerSecond() / baseline.eventsPerSecond())));
                }
                out.append(verdict(c, bridge.p99Ms() < 20, String.format(Locale.ROOT,
                        "p99 final-to-Collavre < 20 ms at %d runs/s: %.2f ms", settings.latencyRunsPerSecond(), bridge.p99Ms())));
            }
            Memory memory = memories.get("bridge@" + c);
            int[] targets = settings.openRuns();
            int last = targets.length - 1;
            if (memory != null) {
                boolean held = memory.failure() == null && memory.live()[last] >= 0 && memory.live()[last] < 512L << 20;
                out.append(verdict(c, held, String.format(Locale.ROOT, "%,d open 1 KB buffers within -Xmx512m: %s",
                        targets[last], memory.failure() != null ? "failed: " + memory.failure()
                                : String.format(Locale.ROOT, "%.0f MB live after GC", mb(memory.live()[last])))));
            }
        }
        return out.toString();
    }

    private static String verdict(int connections, boolean met, String what) {
        return String.format(Locale.ROOT, "- %s  %d connection%s: %s%n", met ? "MET   " : "MISSED", connections,
                connections == 1 ? "" : "s", what);
    }

    /** The CPU time of the benchmark's PostgreSQL server so far, when the subject measured uses it; else -1. */
    private long serverCpuNanos() {
        return postgres != null && "postgresql".equals(store) ? ServerCpu.nanos(postgres.directory().resolve("data"))
                : -1;
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String bridgeJar() {
        try {
            Path jar = Path.of(io.collavre.openclaw.bridge.BridgeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getFileName() + ", " + Files.size(jar) + " bytes, dated " + Files.getLastModifiedTime(jar);
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
